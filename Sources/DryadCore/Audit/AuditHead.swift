/// The newest entry of the audit chain: what `audit head` prints for an operator to record.
public struct AuditHead: Sendable, Equatable, Encodable {
    public var seq: Int
    public var hash: String
    /// When the newest entry was written; nil for an empty chain.
    public var at: String?
}
