import Foundation

/// Filters for listing and searching contexts.
public struct MemoryQuery: Sendable, Equatable {
    public var agentID: String?
    public var contextType: String?
    /// Contexts carrying every one of these tags.
    public var tags: [String]
    public var parentID: String?
    /// The context with this key (with `agentID`, at most one).
    public var key: String?
    public var since: Date?

    public init(
        agentID: String? = nil, contextType: String? = nil, tags: [String] = [], parentID: String? = nil, key: String? = nil, since: Date? = nil
    ) {
        self.key = key
        self.agentID = agentID
        self.contextType = contextType
        self.tags = tags
        self.parentID = parentID
        self.since = since
    }
}
