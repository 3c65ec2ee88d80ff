import Foundation
import GRDB

/// The answer of `perms check`: the decision and the rule that made it.
public struct AccessDecision: Sendable, Equatable, Encodable {
    public var allowed: Bool
    public var reason: String
    public var decision: String { allowed ? "allow" : "deny" }

    enum CodingKeys: String, CodingKey { case decision, reason }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(decision, forKey: .decision)
        try c.encode(reason, forKey: .reason)
    }
}
