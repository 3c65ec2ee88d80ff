import Foundation

/// One event in a context's story (`dryad trace`): a version written, a run in it, an error
/// logged or resolved, a share granted or revoked, an access decision about it.
public struct TraceEvent: Sendable, Equatable, Encodable {
    /// What happened. Within one instant events sort in this order.
    public enum Kind: String, Sendable, CaseIterable, Encodable {
        case run, version, share, unshare, error
        case errorResolved = "error_resolved"
        case decision
    }

    public var kind: Kind
    public var at: String
    public var contextID: String
    /// Who did it (for `error_resolved` of errors resolved before dryad kept that, nil).
    public var principal: String?
    /// The kind's own fields, written into the event's JSON next to the common ones:
    /// `version`: version, merged, changed_leaves, execution_id; `run`: execution_id, tool,
    /// tool_version, status, duration_ms, error, stored_version, not_stored (why the output
    /// was not stored); `error`/`error_resolved`:
    /// error_id, error_type, message, execution_id; `share`/`unshare`: agent_id, access;
    /// `decision`: action, decision, reason.
    public var detail: [String: JSONValue]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(kind, forKey: Key(stringValue: "kind"))
        try c.encode(at, forKey: Key(stringValue: "at"))
        try c.encode(contextID, forKey: Key(stringValue: "context_id"))
        try c.encode(principal, forKey: Key(stringValue: "principal"))
        for (name, value) in detail.sorted(by: { $0.key < $1.key }) { try c.encode(value, forKey: Key(stringValue: name)) }
    }
}
