import Foundation

/// An upstream MCP server registered with dryad (`servers add`): how to reach it, which of its
/// tools to take and under what prefix, and what dryad last learnt from it.
public struct UpstreamServer: Sendable, Equatable {
    public var name: String
    public var transport: UpstreamTransport
    /// Put before each upstream tool's name with `__` ("" for none); the server's name by default.
    public var prefix: String
    /// Globs over upstream tool names: a tool is taken when it matches one of `include` (or
    /// `include` is empty) and none of `exclude`.
    public var include: [String]
    public var exclude: [String]
    /// Whether an upstream `tools/list_changed` syncs at once (else it only marks the server changed).
    public var autoSync: Bool
    /// When the upstream last said its tools changed, if it has since the last sync.
    public var changedAt: String?
    public var syncedAt: String?
    /// What the upstream said of itself at the last sync (`serverInfo`: name, version).
    public var upstreamInfo: JSONValue?
    public var createdAt: String

    /// The most globs in `include` or `exclude`.
    public static let maxGlobs = 64

    public init(
        name: String, transport: UpstreamTransport, prefix: String? = nil, include: [String] = [], exclude: [String] = [],
        autoSync: Bool = false, changedAt: String? = nil, syncedAt: String? = nil, upstreamInfo: JSONValue? = nil, createdAt: String = ""
    ) {
        self.name = name
        self.transport = transport
        self.prefix = prefix ?? name
        self.include = include
        self.exclude = exclude
        self.autoSync = autoSync
        self.changedAt = changedAt
        self.syncedAt = syncedAt
        self.upstreamInfo = upstreamInfo
        self.createdAt = createdAt
    }

    /// Whether the upstream tool `name` is taken at a sync.
    public func takes(_ name: String) -> Bool {
        (include.isEmpty || include.contains { Self.glob($0, matches: name) }) && !exclude.contains { Self.glob($0, matches: name) }
    }

    /// Shell-style matching (`*`, `?`, `[...]`), as `fnmatch(3)` without flags.
    static func glob(_ pattern: String, matches name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }

    /// Refuses a name, prefix or glob list that does not follow the rules; `path` prefixes field names.
    func check() throws(DryadError) {
        guard NameRule.serverName.accepts(name) else { throw .invalidInput("name: expected \(NameRule.serverName.summary)") }
        guard prefix.isEmpty || NameRule.serverName.accepts(prefix) else {
            throw .invalidInput("prefix: expected \"\" or \(NameRule.serverName.summary)")
        }
        for (field, globs) in [("include", include), ("exclude", exclude)] {
            guard globs.count <= Self.maxGlobs else { throw .invalidInput("\(field): at most \(Self.maxGlobs) globs") }
            for glob in globs where glob.isEmpty || glob.utf8.count > UpstreamNaming.maxUpstreamNameBytes || glob.unicodeScalars.contains("\0") {
                throw .invalidInput("\(field): \"\(glob)\" is not a glob of 1 to \(UpstreamNaming.maxUpstreamNameBytes) bytes")
            }
        }
    }

    /// The stored and printed JSON form.
    public var json: JSONValue {
        .object([
            "name": .string(name),
            "transport": transport.json,
            "prefix": .string(prefix),
            "include": .array(include.map(JSONValue.string)),
            "exclude": .array(exclude.map(JSONValue.string)),
            "auto_sync": .bool(autoSync),
            "changed": .bool(changedAt != nil),
            "changed_at": changedAt.map(JSONValue.string) ?? .null,
            "synced_at": syncedAt.map(JSONValue.string) ?? .null,
            "upstream": upstreamInfo ?? .null,
            "created_at": .string(createdAt),
        ])
    }
}
