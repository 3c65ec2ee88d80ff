import Foundation

/// A group of executions (the planning document's `tool_session`).
public struct ToolSession: Sendable, Equatable, Encodable {
    /// Open sessions take executions; ended ones refuse them.
    public enum Status: String, Sendable, Codable { case open, ended }

    public var id: String
    public var label: String?
    public var principal: String
    public var status: Status
    public var executionCount: Int
    public var createdAt: String
    public var endedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, label, principal, status
        case executionCount = "execution_count"
        case createdAt = "created_at"
        case endedAt = "ended_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(label, forKey: .label)
        try c.encode(principal, forKey: .principal)
        try c.encode(status, forKey: .status)
        try c.encode(executionCount, forKey: .executionCount)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(endedAt, forKey: .endedAt)
    }
}
