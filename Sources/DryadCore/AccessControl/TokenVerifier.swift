import Foundation
import GRDB
import JWTKit

/// Verifies bearer tokens, on every authenticated request.
///
/// Verification follows RFC 8725: the algorithm is pinned to HS256, the key is looked up by
/// `kid` among dryad's own keys only, `exp`/`nbf` allow 60 s of clock skew, `iss` and `aud`
/// must be `dryad`, and the token must be known, unrevoked and belong to an enabled principal.
public struct TokenVerifier: Sendable {
    /// The clock skew allowed on `exp` and `nbf`.
    static let leeway: TimeInterval = 60
    static let maxTokenBytes = 8192

    let database: DryadDatabase

    /// The principal a token stands for. Every failure is the same "invalid token" (and audited
    /// with its real reason, unless `auditFailure` says no), so a caller learns nothing about
    /// which check failed.
    ///
    /// - Parameter auditFailure: asked once when the token fails; false when the caller has seen
    ///   too many failures from this client and refuses it without growing the audit trail.
    public func verify(_ token: String, requestID: String?, auditFailure: () -> Bool = { true }) async throws(DryadError) -> Principal {
        let invalid = DryadError.permissionDenied("invalid token")
        let anonymous = Principal(name: "anonymous", kind: .user, role: .member, requestID: requestID)
        func refuse(_ reason: String) async throws(DryadError) -> Never {
            if auditFailure() { try await database.recordDenial(anonymous, .authToken, "token", reason: reason) }
            throw invalid
        }
        guard token.utf8.count <= Self.maxTokenBytes else { try await refuse("token too long") }
        let verified: VerifiedTokenCache.Entry
        if let cached = database.verifiedTokens.lookup(token) {
            verified = cached
        } else {
            guard let header = Self.header(of: token) else { try await refuse("malformed token") }
            guard header["alg"]?.stringValue == "HS256" else { try await refuse("algorithm not HS256") }
            guard let kid = header["kid"]?.stringValue else { try await refuse("no kid") }
            let keyring = database.keyring
            let secret = try await database.read { db -> Data? in
                guard let stored = try Data.fetchOne(db, sql: "SELECT secret FROM signing_key WHERE kid = ?", arguments: [kid]) else { return nil }
                // A key an older dryad stored raw is sealed at this database's next write.
                return Keyring.isSealed(stored) ? try keyring.unseal(stored, for: "signing_key:" + kid, in: db) : stored
            }
            guard let secret else { try await refuse("unknown kid") }
            let claims: DryadClaims
            do {
                let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
                claims = try await keys.verify(token, as: DryadClaims.self)
            } catch {
                try await refuse("bad signature or claims")
            }
            guard claims.iss.value == TokenService.issuer, claims.aud.value.contains(TokenService.issuer) else { try await refuse("wrong issuer or audience") }
            verified = VerifiedTokenCache.Entry(
                kid: kid, id: claims.jti.value, subject: claims.sub.value,
                expires: claims.exp.value, notBefore: claims.nbf.value)
            database.verifiedTokens.store(token, verified)
        }
        // Time, revocation, the principal and the key are checked on every request, cached or not.
        let now = database.clock()
        guard verified.expires.addingTimeInterval(Self.leeway) > now else { try await refuse("expired") }
        guard verified.notBefore.addingTimeInterval(-Self.leeway) <= now else { try await refuse("not yet valid") }
        let subject = verified.subject
        // One statement, columns by position: this runs on every authenticated request.
        let state = try database.readNow { db in
            try db.cachedStatement(sql: Self.tokenStateQuery).decodeFirst(arguments: [verified.id]) { row in
                (
                    principal: row.string(0), kid: row.string(1), revoked: row.bool(2), keyExists: row.bool(3),
                    holder: row.isNull(4)
                        ? nil
                        : PrincipalRecord(
                            name: row.string(4), type: Principal.Kind(rawValue: row.string(5)) ?? .user,
                            role: Principal.Role(rawValue: row.string(6)) ?? .member, disabled: row.bool(7),
                            rate: row.optionalDouble(8), burst: row.optionalInt(9), createdAt: row.string(10))
                )
            }
        }
        guard let state, state.principal == subject, state.kid == verified.kid, state.keyExists else { try await refuse("unknown token") }
        guard !state.revoked else { try await refuse("revoked") }
        guard let holder = state.holder, !holder.disabled else { try await refuse("principal missing or disabled") }
        return holder.principal(requestID: requestID)
    }

    /// A token's owner, key, revocation and holder, in the positions `verify` reads them.
    static let tokenStateQuery = """
        SELECT t.principal, t.kid, t.revoked_at IS NOT NULL, EXISTS (SELECT 1 FROM signing_key k WHERE k.kid = t.kid),
               p.name, p.type, p.role, p.disabled, p.rate, p.burst, p.created_at
        FROM token t LEFT JOIN principal p ON p.name = t.principal
        WHERE t.id = ?
        """

    /// The decoded JOSE header, or nil when the token is not three base64url parts.
    static func header(of token: String) -> [String: JSONValue]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let first = parts.first else { return nil }
        var base64 = first.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let value = try? JSONValue.parse(data, maxDepth: 4) else { return nil }
        return value.objectValue
    }
}

extension DryadDatabase {
    /// Checks bearer tokens.
    public var tokenVerifier: TokenVerifier { TokenVerifier(database: self) }
}
