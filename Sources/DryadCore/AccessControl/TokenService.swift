import Crypto
import Foundation
import GRDB
import JWTKit
import Synchronization

/// Issues, lists, revokes and verifies signed tokens (HS256 with keys kept in the database).
///
/// Verification follows RFC 8725: the algorithm is pinned to HS256, the key is looked up by
/// `kid` among dryad's own keys only, `exp`/`nbf` allow 60 s of clock skew, `iss` and `aud`
/// must be `dryad`, and the token must be known, unrevoked and belong to an enabled principal.
public struct TokenService: Sendable {
    public static let issuer = "dryad"
    public static let defaultTTL: TimeInterval = 3600
    public static let defaultMaxTTL: TimeInterval = 30 * 86_400
    static let leeway: TimeInterval = 60
    static let maxTokenBytes = 8192

    let database: DryadDatabase
    /// The longest lifetime `issue` grants (`DryadDatabase.Limits`).
    var maxTTL: TimeInterval { database.limits.tokenMaxTTL }

    /// Signs a token for `subject`, creating the first signing key if there is none.
    public func issue(for subject: String, ttl: TimeInterval = TokenService.defaultTTL, as principal: Principal) async throws(DryadError) -> IssuedToken {
        guard ttl > 0, ttl <= maxTTL else { throw .invalidInput("ttl: must be greater than 0 and at most \(Int(maxTTL)) seconds") }
        let now = database.clock()
        let id = UUID().uuidString.lowercased()
        let (record, secret) = try await database.audited(principal, .tokensIssue, "principal:\(subject)") { db, note in
            try AccessRules.requireAdmin(principal, in: db)
            let target = try PrincipalStore.fetch(subject, in: db)
            guard !target.disabled else { throw DryadError.conflict("principal \(subject) is disabled") }
            let key = try Self.currentKey(now: now, in: db)
            let record = TokenRecord(
                id: id, principal: subject, kid: key.kid, issuedAt: Timestamp.format(now),
                expiresAt: Timestamp.format(now.addingTimeInterval(ttl)), revokedAt: nil)
            try db.execute(
                sql: "INSERT INTO token (id, principal, kid, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [record.id, record.principal, record.kid, record.issuedAt, record.expiresAt])
            note.resource = "token:\(id)"
            return (record, key.secret)
        }
        let claims = DryadClaims(
            sub: .init(value: subject), exp: .init(value: now.addingTimeInterval(ttl)), nbf: .init(value: now),
            iat: .init(value: now), iss: .init(value: Self.issuer), aud: .init(value: [Self.issuer]), jti: .init(value: id))
        do {
            let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: record.kid))
            let token = try await keys.sign(claims, kid: JWKIdentifier(string: record.kid))
            return IssuedToken(token: token, record: record)
        } catch {
            throw .storage("cannot sign the token: \(error)")
        }
    }

    public func list(as principal: Principal) async throws(DryadError) -> [TokenRecord] {
        try await database.audited(principal, .tokensList, "tokens") { db, _ in
            try AccessRules.requireAdmin(principal, in: db)
            return try Row.fetchAll(db, sql: "SELECT * FROM token ORDER BY issued_at, id").map(Self.decode)
        }
    }

    public func revoke(_ id: String, as principal: Principal) async throws(DryadError) -> TokenRecord {
        let now = database.now()
        return try await database.audited(principal, .tokensRevoke, "token:\(id)") { db, _ in
            try AccessRules.requireAdmin(principal, in: db)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM token WHERE id = ?", arguments: [id]) else {
                throw DryadError.notFound("token \(id) not found")
            }
            guard Self.decode(row).revokedAt == nil else { throw DryadError.conflict("token \(id) is already revoked") }
            try db.execute(sql: "UPDATE token SET revoked_at = ? WHERE id = ?", arguments: [now, id])
            return Self.decode(try Row.fetchOne(db, sql: "SELECT * FROM token WHERE id = ?", arguments: [id]) ?? row)
        }
    }

    /// Adds a new signing key; older keys stay for verification until their tokens expire.
    public func rotateKey(as principal: Principal) async throws(DryadError) -> String {
        let now = database.clock()
        return try await database.audited(principal, .keysRotate, "keys") { db, note in
            try AccessRules.requireAdmin(principal, in: db)
            let kid = try Self.createKey(now: now, in: db)
            // Keys that no live token needs any more can go.
            try db.execute(
                sql: """
                    DELETE FROM signing_key WHERE kid <> ? AND NOT EXISTS (
                        SELECT 1 FROM token t WHERE t.kid = signing_key.kid AND t.expires_at > ? AND t.revoked_at IS NULL)
                    """,
                arguments: [kid, Timestamp.format(now.addingTimeInterval(-Self.leeway))])
            note.resource = "key:\(kid)"
            return kid
        }
    }

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
            let secret = try await database.read { db in
                try Data.fetchOne(db, sql: "SELECT secret FROM signing_key WHERE kid = ?", arguments: [kid])
            }
            guard let secret else { try await refuse("unknown kid") }
            let claims: DryadClaims
            do {
                let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
                claims = try await keys.verify(token, as: DryadClaims.self)
            } catch {
                try await refuse("bad signature or claims")
            }
            guard claims.iss.value == Self.issuer, claims.aud.value.contains(Self.issuer) else { try await refuse("wrong issuer or audience") }
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

    // MARK: - Keys

    /// The newest signing key, created on first use.
    static func currentKey(now: Date, in db: Database) throws -> (kid: String, secret: Data) {
        let newest = "SELECT kid, secret FROM signing_key ORDER BY created_at DESC, rowid DESC LIMIT 1"
        if try Row.fetchOne(db, sql: newest) == nil { _ = try createKey(now: now, in: db) }
        guard let row = try Row.fetchOne(db, sql: newest) else { throw DryadError.storage("no signing key") }
        return (row["kid"], row["secret"])
    }

    /// A new random 256-bit HMAC key (jwt-kit refuses shorter ones).
    static func createKey(now: Date, in db: Database) throws -> String {
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let kid = SymmetricKey(size: .bits128).withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
        try db.execute(sql: "INSERT INTO signing_key (kid, secret, created_at) VALUES (?, ?, ?)", arguments: [kid, secret, Timestamp.format(now)])
        return kid
    }

    /// The decoded JOSE header, or nil when the token is not three base64url parts.
    static func header(of token: String) -> [String: JSONValue]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let first = parts.first else { return nil }
        var base64 = first.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let value = try? JSONValue.parse(data, maxDepth: 4) else { return nil }
        return value.objectValue
    }

    static func decode(_ row: Row) -> TokenRecord {
        TokenRecord(
            id: row["id"], principal: row["principal"], kid: row["kid"], issuedAt: row["issued_at"],
            expiresAt: row["expires_at"], revokedAt: row["revoked_at"])
    }
}

extension DryadDatabase {
    /// Tokens and signing keys.
    public var tokens: TokenService { TokenService(database: self) }
}
