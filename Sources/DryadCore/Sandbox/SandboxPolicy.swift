import Foundation

/// How a command tool is confined, as registered: part of its executor, so only an admin
/// sets or changes it (an executor change needs the admin role).
///
/// Contained (the default) means: its own user, no network, the system read-only, its
/// private work folder writable, and only the paths listed here besides. `none` runs the
/// tool as dryad itself, as before this policy existed; each such run is audited as unconfined.
public struct SandboxPolicy: Sendable, Equatable {
    /// Whether the tool is confined at all.
    public enum Mode: String, Sendable, CaseIterable {
        case contained
        case none
    }

    public var mode: Mode
    /// TCP and every other socket family but Unix sockets; off unless registered with `--network`.
    public var network: Bool
    /// Paths the tool may read (and execute) beyond the system folders.
    public var allowRead: [String]
    /// Paths the tool may read, write, create and remove in.
    public var allowWrite: [String]

    /// The most paths each list may hold.
    public static let maxPaths = 32

    public init(mode: Mode = .contained, network: Bool = false, allowRead: [String] = [], allowWrite: [String] = []) {
        self.mode = mode
        self.network = network
        self.allowRead = allowRead
        self.allowWrite = allowWrite
    }

    /// What a new registration gets when it names no sandbox.
    public static let standard = SandboxPolicy()

    /// What a tool registered before sandboxing existed gets (the v9 migration and older
    /// bundles): still contained, but with the network and its working folder, which it had.
    public static func legacy(cwd: String?) -> SandboxPolicy {
        SandboxPolicy(network: true, allowWrite: cwd.map { [$0] } ?? [])
    }

    /// Reads the executor's `sandbox` object; `path` names it in errors.
    init(json: JSONValue, path: String) throws(DryadError) {
        var reader = try JSONObjectReader(json, path: path)
        let modeText = try reader.string("mode") ?? Mode.contained.rawValue
        guard let mode = Mode(rawValue: modeText) else {
            throw .invalidInput("\(reader.path("mode")): expected \"contained\" or \"none\"")
        }
        let network = try reader.bool("network") ?? false
        let allowRead = try Self.paths(reader.stringArray("allow_read") ?? [], at: reader.path("allow_read"))
        let allowWrite = try Self.paths(reader.stringArray("allow_write") ?? [], at: reader.path("allow_write"))
        try reader.finish()
        if mode == .none && (network || !allowRead.isEmpty || !allowWrite.isEmpty) {
            throw .invalidInput("\(path): network and allow paths apply to a contained tool; mode \"none\" already allows everything")
        }
        self.init(mode: mode, network: network, allowRead: allowRead, allowWrite: allowWrite)
    }

    /// The stored and printed JSON form.
    var json: JSONValue {
        .object([
            "mode": .string(mode.rawValue),
            "network": .bool(network),
            "allow_read": .array(allowRead.map(JSONValue.string)),
            "allow_write": .array(allowWrite.map(JSONValue.string)),
        ])
    }

    /// Checks a path list: absolute, without NUL, `.` or `..` steps (a rule names one place),
    /// at most `maxPaths`; trailing slashes are dropped.
    private static func paths(_ list: [String], at path: String) throws(DryadError) -> [String] {
        guard list.count <= maxPaths else { throw .invalidInput("\(path): at most \(maxPaths) paths") }
        var result: [String] = []
        for item in list {
            let steps = item.split(separator: "/", omittingEmptySubsequences: true)
            guard item.hasPrefix("/"), !item.unicodeScalars.contains("\0"), !steps.contains("."), !steps.contains("..") else {
                throw .invalidInput("\(path): \(item.debugDescription) is not an absolute path without . or .. steps")
            }
            let normal = "/" + steps.joined(separator: "/")
            if !result.contains(normal) { result.append(normal) }
        }
        return result
    }
}
