import Foundation

/// What became of a run's output that was to be stored in its context (`--store-output`).
///
/// The run is recorded whatever happens here: a refused store says why instead of undoing
/// the run.
public struct StoredOutput: Sendable, Equatable, Encodable {
    /// Where in the context's data the output goes (a JSON pointer).
    public var pointer: String
    /// True when the output was written as a new version.
    public var stored: Bool
    /// The version written; nil when nothing was written.
    public var version: Int?
    /// Why nothing was written: the run did not succeed, the output equals what is there,
    /// a stale version, a lost permission.
    public var reason: String?

    /// What `reason` starts with when the output equals what the context already holds there.
    static let unchangedReason = "unchanged"

    /// True when storing was refused (a stale version, a lost permission, a quota): not when
    /// the output was already there, nor when the run gave no output to store.
    public var refused: Bool { !stored && reason?.hasPrefix(Self.unchangedReason) != true }

    public init(pointer: String, stored: Bool, version: Int? = nil, reason: String? = nil) {
        self.pointer = pointer
        self.stored = stored
        self.version = version
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case pointer, stored, version, reason
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pointer, forKey: .pointer)
        try c.encode(stored, forKey: .stored)
        try c.encode(version, forKey: .version)
        try c.encode(reason, forKey: .reason)
    }

    /// The stored JSON form (the `stored_output` column).
    var json: JSONValue {
        .object([
            "pointer": .string(pointer), "stored": .bool(stored), "version": version.map { .integer(Int64($0)) } ?? .null,
            "reason": reason.map(JSONValue.string) ?? .null,
        ])
    }

    /// Reads the stored JSON form.
    init?(json: JSONValue) {
        guard let fields = json.objectValue, let pointer = fields["pointer"]?.stringValue, case .bool(let stored)? = fields["stored"] else { return nil }
        self.init(pointer: pointer, stored: stored, version: fields["version"]?.doubleValue.map { Int($0) }, reason: fields["reason"]?.stringValue)
    }
}
