import Crypto
import Foundation
import GRDB
import JWTKit
import Synchronization

/// An issued token as listed: never the token itself.
public struct TokenRecord: Sendable, Equatable, Encodable {
    public var id: String
    public var principal: String
    public var kid: String
    public var issuedAt: String
    public var expiresAt: String
    public var revokedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, principal, kid
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(principal, forKey: .principal)
        try c.encode(kid, forKey: .kid)
        try c.encode(issuedAt, forKey: .issuedAt)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(revokedAt, forKey: .revokedAt)
    }
}
