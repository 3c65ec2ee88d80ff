import Crypto
import Foundation
import GRDB
import Synchronization

/// The secrets dryad keeps in its database, sealed with the key-encryption key (KEK) from the
/// key file: the token signing keys and the audit chain's HMAC key. A copied database,
/// backup or export holds only sealed blobs: without the key file it cannot mint tokens, nor
/// re-key the audit chain after rewriting it.
///
/// A sealed blob is `DKS1`, the first 8 bytes of SHA-256(KEK) (so an error can say which key
/// sealed it), then AES-GCM's nonce, ciphertext and tag; what it is sealed for
/// (`signing_key:KID`, `audit`) is authenticated data, so a blob moved to another row does
/// not open. The key file is read on first use and created then when the database holds
/// nothing sealed yet.
public final class Keyring: Sendable {
    static let magic = Array("DKS1".utf8)
    /// Where the KEK lives.
    public let path: String
    private let state = Mutex(State())

    private struct State {
        var kek: SymmetricKey?
        var auditKey: SymmetricKey?
    }

    init(path: String) {
        self.path = path
    }

    /// The KEK's id: hex of the first 8 bytes of its SHA-256.
    static func id(of key: SymmetricKey) -> String {
        hex(idBytes(key))
    }

    private static func idBytes(_ key: SymmetricKey) -> [UInt8] {
        Array(key.withUnsafeBytes { SHA256.hash(data: Data($0)) }.prefix(8))
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - The key-encryption key

    /// The KEK: read from the key file, or made there when the file is missing and nothing in
    /// the database is sealed yet. A missing file with sealed secrets is an error: a new key
    /// would not open them.
    func kek(in db: Database) throws -> SymmetricKey {
        if let key = state.withLock({ $0.kek }) { return key }
        try finishInterruptedRotation(in: db)
        let key: SymmetricKey
        if let stored = try KeyFile.read(path) {
            key = stored
        } else {
            let sealed = try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM dryad_secret) OR EXISTS (SELECT 1 FROM signing_key WHERE substr(secret, 1, 4) = CAST('DKS1' AS BLOB))")
            guard sealed != true else { throw Self.missing(path) }
            let fresh = SymmetricKey(size: .bits256)
            do {
                try KeyFile.create(path, key: fresh)
                key = fresh
            } catch {
                // Another process made it first: use theirs.
                guard let theirs = try KeyFile.read(path) else { throw error }
                key = theirs
            }
        }
        state.withLock { $0.kek = key }
        return key
    }

    /// The error for a key file that is gone while the database holds secrets sealed with it.
    static func missing(_ path: String) -> DryadError {
        .advised(
            .storage("the key file \(path) is missing, and this database's signing keys and audit chain are sealed with it"),
            Advice(.text("restore it from your backup of it, or name it with "), .option("key_file"), .text(" or DRYAD_KEY_FILE")))
    }

    /// The KEK's id (reading or making the key file as `kek(in:)` does).
    func keyID(in db: Database) throws -> String { Self.id(of: try kek(in: db)) }

    // MARK: - Sealing

    func seal(_ secret: Data, for purpose: String, in db: Database) throws -> Data {
        try Self.seal(secret, for: purpose, with: try kek(in: db))
    }

    static func seal(_ secret: Data, for purpose: String, with kek: SymmetricKey) throws -> Data {
        let box = try AES.GCM.seal(secret, using: kek, authenticating: Data(purpose.utf8))
        guard let combined = box.combined else { throw DryadError.storage("cannot seal a secret") }
        return Data(magic) + Data(idBytes(kek)) + combined
    }

    func unseal(_ blob: Data, for purpose: String, in db: Database) throws -> Data {
        let kek = try kek(in: db)
        if Self.isSealed(blob), Self.hex(blob.dropFirst(4).prefix(8)) != Self.id(of: kek) {
            // Another process may have rotated the key file since this one read it.
            state.withLock { $0.kek = nil }
            return try Self.unseal(blob, for: purpose, with: try self.kek(in: db), path: path)
        }
        return try Self.unseal(blob, for: purpose, with: kek, path: path)
    }

    static func unseal(_ blob: Data, for purpose: String, with kek: SymmetricKey, path: String) throws -> Data {
        guard isSealed(blob) else { throw DryadError.storage("the \(purpose) secret is not sealed") }
        let sealedBy = hex(blob.dropFirst(4).prefix(8))
        guard sealedBy == id(of: kek) else {
            throw DryadError.storage(
                "the \(purpose) secret was sealed with key \(sealedBy), but the key file \(path) holds key \(id(of: kek)); use the key file this database was sealed with (--key-file)"
            )
        }
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: blob.dropFirst(12)), using: kek, authenticating: Data(purpose.utf8))
        } catch {
            throw DryadError.storage("the \(purpose) secret does not open with key \(sealedBy): it was changed")
        }
    }

    static func isSealed(_ blob: Data) -> Bool { blob.count > 12 + 28 && Array(blob.prefix(4)) == magic }

    // MARK: - The audit chain's key

    /// HMAC-SHA256 of an audit entry, hex: what a keyed entry's `hash` holds.
    func auditMAC(previous: String, body: [UInt8], in db: Database) throws -> String {
        Self.mac(previous: previous, body: body, key: try auditKey(in: db))
    }

    static func mac(previous: String, body: [UInt8], key: SymmetricKey) -> String {
        var mac = HMAC<SHA256>(key: key)
        mac.update(data: Array(previous.utf8))
        mac.update(data: body)
        return hex(mac.finalize())
    }

    /// The audit key, unsealed once per process; nil when the chain is not keyed yet.
    func auditKeyIfKeyed(in db: Database) throws -> SymmetricKey? {
        if let key = state.withLock({ $0.auditKey }) { return key }
        guard let text = try String.fetchOne(db, sql: "SELECT sealed FROM dryad_secret WHERE name = 'audit'") else { return nil }
        guard let blob = Data(base64Encoded: text) else { throw DryadError.storage("the sealed audit key is not base64") }
        let key = SymmetricKey(data: try unseal(blob, for: "audit", in: db))
        state.withLock { $0.auditKey = key }
        return key
    }

    private func auditKey(in db: Database) throws -> SymmetricKey {
        guard let key = try auditKeyIfKeyed(in: db) else { throw DryadError.storage("the audit chain is not keyed yet") }
        return key
    }

    /// Keys a database written before keying, once, inside a write: makes and seals the audit
    /// key, seals the signing keys stored raw, and appends the checkpoint entry that records
    /// the unkeyed chain's head. Existing entries are not re-hashed: that would be the forgery
    /// the key exists to stop. Returns whether it keyed the database now.
    @discardableResult
    func keyIfNeeded(at now: String, in db: Database) throws -> Bool {
        if try auditKeyIfKeyed(in: db) != nil { return false }
        let auditKey = SymmetricKey(size: .bits256)
        try db.execute(
            sql: "INSERT INTO dryad_secret (name, sealed, created_at) VALUES ('audit', ?, ?)",
            arguments: [try seal(auditKey.withUnsafeBytes { Data($0) }, for: "audit", in: db).base64EncodedString(), now])
        for row in try Row.fetchAll(db, sql: "SELECT kid, secret FROM signing_key") {
            let kid: String = row["kid"]
            let secret: Data = row["secret"]
            guard !Self.isSealed(secret) else { continue }
            try db.execute(
                sql: "UPDATE signing_key SET secret = ? WHERE kid = ?", arguments: [try seal(secret, for: "signing_key:" + kid, in: db), kid])
        }
        state.withLock { $0.auditKey = auditKey }
        // A new database's chain is keyed from its first entry; an older one's from here.
        let head = try AuditLog.lastLink(in: db)
        guard head.seq > 0 else { return true }
        _ = try AuditLog.insert(
            AuditDraft(
                principal: "dryad", action: AuditAction.auditKeyed.rawValue, resource: "audit", allowed: true,
                reason: "keyed chain starts; unkeyed head seq \(head.seq) hash \(head.hash); key \(try keyID(in: db))",
                requestID: nil, at: now),
            after: head, keyring: self, in: db)
        return true
    }

    // MARK: - Rotation and restore

    /// Re-seals every secret with a new KEK, inside the caller's write: the new key is written
    /// to `PATH.new` first; `finishRotation` then retires the old file once the write committed.
    /// Returns the old and new key ids.
    func resealWithNewKEK(at now: String, in db: Database) throws -> (old: String, new: String, key: SymmetricKey) {
        try keyIfNeeded(at: now, in: db)
        let old = try kek(in: db)
        let new = SymmetricKey(size: .bits256)
        for row in try Row.fetchAll(db, sql: "SELECT name, sealed FROM dryad_secret") {
            let name: String = row["name"]
            let secret = try Self.unseal(Data(base64Encoded: row["sealed"] as String) ?? Data(), for: name, with: old, path: path)
            try db.execute(
                sql: "UPDATE dryad_secret SET sealed = ? WHERE name = ?", arguments: [try Self.seal(secret, for: name, with: new).base64EncodedString(), name])
        }
        for row in try Row.fetchAll(db, sql: "SELECT kid, secret FROM signing_key") {
            let kid: String = row["kid"]
            let secret = try Self.unseal(row["secret"], for: "signing_key:" + kid, with: old, path: path)
            try db.execute(
                sql: "UPDATE signing_key SET secret = ? WHERE kid = ?", arguments: [try Self.seal(secret, for: "signing_key:" + kid, with: new), kid])
        }
        unlink(path + ".new")
        try KeyFile.create(path + ".new", key: new)
        return (Self.id(of: old), Self.id(of: new), new)
    }

    /// After the re-sealing committed: the old key file becomes `PATH.retired-OLDID` (backups
    /// made before the rotation need it) and `PATH.new` becomes the key file.
    func finishRotation(old: String, new key: SymmetricKey) throws(DryadError) {
        guard rename(path, path + ".retired-" + old) == 0, rename(path + ".new", path) == 0 else {
            throw .storage("the new key is sealed in the database but \(path).new could not replace \(path): \(String(cString: strerror(errno)))")
        }
        KeyFile.syncFolder(of: path)
        state.withLock { $0.kek = key }
    }

    /// A rotation that committed but stopped before its files were renamed leaves `PATH.new`
    /// holding the key the database is sealed with: finish it. A `PATH.new` the database does
    /// not use is from a rotation that rolled back: remove it.
    private func finishInterruptedRotation(in db: Database) throws {
        guard let pending = try KeyFile.read(path + ".new") else { return }
        let blob = try String.fetchOne(db, sql: "SELECT sealed FROM dryad_secret LIMIT 1").flatMap { Data(base64Encoded: $0) }
        let sealedBy = try (blob ?? Data.fetchOne(db, sql: "SELECT secret FROM signing_key LIMIT 1"))
            .flatMap { Self.isSealed($0) ? Self.hex($0.dropFirst(4).prefix(8)) : nil }
        if sealedBy == Self.id(of: pending), let current = try KeyFile.read(path) {
            try finishRotation(old: Self.id(of: current), new: pending)
        } else if sealedBy == Self.id(of: pending) {
            guard rename(path + ".new", path) == 0 else { throw DryadError.storage("cannot move \(path).new to \(path)") }
        } else {
            unlink(path + ".new")
        }
    }

    /// Forgets what was unsealed (the database's content was replaced by a restore).
    func forgetUnsealed() {
        state.withLock { $0.auditKey = nil }
    }

}
