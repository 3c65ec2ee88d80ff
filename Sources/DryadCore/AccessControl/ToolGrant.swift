import Foundation
import GRDB

/// One tool grant: to a principal by name, or to every principal of a type.
public struct ToolGrant: Sendable, Equatable, Encodable {
    public var tool: String
    public var principal: String?
    public var principalType: Principal.Kind?
    public var level: ToolLevel
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case tool, principal
        case principalType = "principal_type"
        case level
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tool, forKey: .tool)
        try c.encode(principal, forKey: .principal)
        try c.encode(principalType, forKey: .principalType)
        try c.encode(level, forKey: .level)
        try c.encode(createdAt, forKey: .createdAt)
    }
}
