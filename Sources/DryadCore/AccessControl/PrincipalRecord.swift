import Foundation
import GRDB

/// A principal as stored and printed.
public struct PrincipalRecord: Sendable, Equatable, Encodable {
    public var name: String
    public var type: Principal.Kind
    public var role: Principal.Role
    public var disabled: Bool
    /// Requests per second for `dryad serve`; nil uses the server default.
    public var rate: Double?
    public var burst: Int?
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case name, type, role, disabled, rate, burst
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
        try c.encode(role, forKey: .role)
        try c.encode(disabled, forKey: .disabled)
        try c.encode(rate, forKey: .rate)
        try c.encode(burst, forKey: .burst)
        try c.encode(createdAt, forKey: .createdAt)
    }

    /// The acting identity of this record.
    public func principal(requestID: String?) -> Principal {
        let limit = rate.flatMap { rate in burst.map { RateLimit(rate: rate, burst: $0) } }
        return Principal(name: name, kind: type, role: role, requestID: requestID, rateLimit: limit)
    }
}
