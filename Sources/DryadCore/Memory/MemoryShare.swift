import Foundation

/// One agent a context is shared with.
public struct MemoryShare: Sendable, Equatable, Encodable {
    public var agentID: String
    public var access: MemoryAccess

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case access
    }
}
