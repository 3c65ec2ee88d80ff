import Crypto
import Foundation
import GRDB
import JWTKit
import Synchronization

/// Issues, lists and revokes signed tokens (HS256 with keys kept in the database) and rotates
/// the signing keys; `TokenVerifier` checks them.
public struct TokenService: Sendable {
    public static let issuer = "dryad"
    public static let defaultTTL: TimeInterval = 3600
    public static let defaultMaxTTL: TimeInterval = 30 * 86_400

    let database: DryadDatabase
    /// The longest lifetime `issue` grants (`DryadDatabase.Limits`).
    var maxTTL: TimeInterval { database.limits.tokenMaxTTL }

    /// Signs a token for `subject`, creating the first signing key if there is none.
    public func issue(for subject: String, ttl: TimeInterval = TokenService.defaultTTL, as principal: Principal) async throws(DryadError) -> IssuedToken {
        guard ttl > 0, ttl <= maxTTL else { throw .invalidInput("ttl: must be greater than 0 and at most \(Int(maxTTL)) seconds") }
        let now = database.clock()
        let id = UUID().uuidString.lowercased()
        let keyring = database.keyring
        let (record, secret) = try await database.audited(principal, .tokensIssue, "principal:\(subject)") { db, note in
            let target = try PrincipalStore.fetch(subject, in: db)
            guard !target.disabled else { throw DryadError.conflict("principal \(subject) is disabled") }
            let key = try Self.currentKey(now: now, keyring: keyring, in: db)
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
            return try Row.fetchAll(db, sql: "SELECT * FROM token ORDER BY issued_at, id").map(Self.decode)
        }
    }

    public func revoke(_ id: String, as principal: Principal) async throws(DryadError) -> TokenRecord {
        let now = database.now()
        return try await database.audited(principal, .tokensRevoke, "token:\(id)") { db, _ in
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
        let keyring = database.keyring
        return try await database.audited(principal, .keysRotate, "keys") { db, note in
            let kid = try Self.createKey(now: now, keyring: keyring, in: db)
            // Keys that no live token needs any more can go.
            try db.execute(
                sql: """
                    DELETE FROM signing_key WHERE kid <> ? AND NOT EXISTS (
                        SELECT 1 FROM token t WHERE t.kid = signing_key.kid AND t.expires_at > ? AND t.revoked_at IS NULL)
                    """,
                arguments: [kid, Timestamp.format(now.addingTimeInterval(-TokenVerifier.leeway))])
            note.resource = "key:\(kid)"
            return kid
        }
    }

    // MARK: - Keys

    /// The newest signing key, unsealed; created on first use.
    static func currentKey(now: Date, keyring: Keyring, in db: Database) throws -> (kid: String, secret: Data) {
        // Keys stored raw by an older dryad are sealed first, in this transaction.
        try keyring.keyIfNeeded(at: Timestamp.format(now), in: db)
        let newest = "SELECT kid, secret FROM signing_key ORDER BY created_at DESC, rowid DESC LIMIT 1"
        if try Row.fetchOne(db, sql: newest) == nil { _ = try createKey(now: now, keyring: keyring, in: db) }
        guard let row = try Row.fetchOne(db, sql: newest) else { throw DryadError.storage("no signing key") }
        let kid: String = row["kid"]
        return (kid, try keyring.unseal(row["secret"], for: "signing_key:" + kid, in: db))
    }

    /// A new random 256-bit HMAC key (jwt-kit refuses shorter ones), stored sealed.
    static func createKey(now: Date, keyring: Keyring, in db: Database) throws -> String {
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let kid = SymmetricKey(size: .bits128).withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
        try db.execute(
            sql: "INSERT INTO signing_key (kid, secret, created_at) VALUES (?, ?, ?)",
            arguments: [kid, try keyring.seal(secret, for: "signing_key:" + kid, in: db), Timestamp.format(now)])
        return kid
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

extension TokenService {
    /// Re-seals the signing keys and the audit key with a new key-encryption key and replaces
    /// the key file (the old one is kept as `KEYFILE.retired-OLDID`). Returns both key ids.
    public func rotateKeyEncryptionKey(as principal: Principal) async throws(DryadError) -> (old: String, new: String) {
        let keyring = database.keyring
        let now = database.now()
        let rotated = try await database.audited(principal, .keysRotateKEK, "keys") { db, note in
            let rotated = try keyring.resealWithNewKEK(at: now, in: db)
            note.resource = "kek:\(rotated.new)"
            return rotated
        }
        try keyring.finishRotation(old: rotated.old, new: rotated.key)
        return (rotated.old, rotated.new)
    }
}
