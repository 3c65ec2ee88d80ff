import Foundation

/// A new context to store.
public struct MemoryDraft: Sendable, Equatable {
    public var agentID: String
    public var contextType: String
    public var data: JSONValue
    public var parentID: String?
    public var tags: [String]
    /// Seconds until the context expires; nil for never.
    public var ttl: TimeInterval?
    /// A stable key, unique per agent, that finds the context again.
    public var key: String?

    public static let defaultType = "general"

    public init(
        agentID: String, contextType: String = defaultType, data: JSONValue = .object([:]), parentID: String? = nil,
        tags: [String] = [], ttl: TimeInterval? = nil, key: String? = nil
    ) {
        self.key = key
        self.agentID = agentID
        self.contextType = contextType
        self.data = data
        self.parentID = parentID
        self.tags = tags
        self.ttl = ttl
    }
}
