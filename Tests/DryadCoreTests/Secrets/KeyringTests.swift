import Crypto
import DryadTestSupport
import Foundation
import GRDB
import Testing

@testable import DryadCore

/// Secrets at rest: what someone holding the database file but not the key file can do.
@Suite struct KeyringTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() async throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
        _ = try await database.principals.add("agent", type: .service, role: .member, as: testOperator)
    }

    var keyFile: String { folder.path + "/dryad.key" }

    /// A JWT for `subject` with `jti`, signed HS256 with `key` under `kid`: what an attacker
    /// who has a signing key would mint.
    func forge(subject: String, jti: String, kid: String, key: Data) -> String {
        func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let now = Int(Date().timeIntervalSince1970)
        let header = base64URL(Data(#"{"alg":"HS256","kid":"\#(kid)","typ":"JWT"}"#.utf8))
        let claims = base64URL(
            Data(#"{"aud":["dryad"],"exp":\#(now + 3600),"iat":\#(now),"iss":"dryad","jti":"\#(jti)","nbf":\#(now - 10),"sub":"\#(subject)"}"#.utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data((header + "." + claims).utf8), using: SymmetricKey(data: key))
        return header + "." + claims + "." + base64URL(Data(signature))
    }

    /// The review's attack: read the signing key out of the file and mint an admin's token.
    /// The stored key is sealed, so the forgery fails; the same forgery with the unsealed key
    /// (which needs the key file) passes, so it is the sealing that stops it.
    @Test func aCopiedDatabaseCannotMintTokens() async throws {
        _ = try await database.principals.add("ops", type: .user, role: .admin, as: testOperator)
        let issued = try await database.tokens.issue(for: "ops", as: testOperator)
        let copy = folder.path + "/stolen.db"
        try await database.backup(to: copy, as: testOperator)
        let stolen = try DatabaseQueue(path: copy)
        let row = try #require(try await stolen.read { db in try Row.fetchOne(db, sql: "SELECT kid, secret FROM signing_key") })
        let kid: String = row["kid"]
        let blob: Data = row["secret"]
        #expect(blob.prefix(4) == Data("DKS1".utf8) && blob.count == 72)

        let forged = forge(subject: "ops", jti: issued.record.id, kid: kid, key: blob)
        await #expect(throws: DryadError.self) { _ = try await database.tokenVerifier.verify(forged, requestID: nil) }
        let unsealed = try await database.pool.read { db in try database.keyring.unseal(blob, for: "signing_key:" + kid, in: db) }
        let withKey = forge(subject: "ops", jti: issued.record.id, kid: kid, key: unsealed)
        #expect(try await database.tokenVerifier.verify(withKey, requestID: nil).name == "ops")
    }

    @Test func theKeyFileIsPrivateAndBesideTheDatabase() async throws {
        _ = try await database.tokens.issue(for: "agent", as: testOperator).token
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect(attributes[.size] as? Int == 32)
        chmod(keyFile, 0o644)
        let careless = try DryadDatabase(path: folder.path + "/d.db")
        await #expect(throws: DryadError.storage("the key file \(keyFile) may be read by others (mode 644); make it private with chmod 600")) {
            _ = try await careless.tokens.issue(for: "agent", as: testOperator)
        }
    }

    /// Without its key file, a database with sealed secrets says what is missing instead of
    /// making a new key that would open nothing.
    @Test func withoutItsKeyFileTheDatabaseSaysSo() async throws {
        _ = try await database.tools.register([definition("t")], as: testOperator)
        try FileManager.default.moveItem(atPath: keyFile, toPath: folder.path + "/elsewhere.key")
        let reopened = try DryadDatabase(path: folder.path + "/d.db")
        let error = await #expect(throws: DryadError.self) { _ = try await reopened.tools.register([definition("u")], as: testOperator) }
        #expect(error?.message.hasPrefix("the key file \(keyFile) is missing") == true)
        #expect(!FileManager.default.fileExists(atPath: keyFile))
        let named = try DryadDatabase(path: folder.path + "/d.db", keyFile: folder.path + "/elsewhere.key")
        _ = try await named.tools.register([definition("u")], as: testOperator)
        #expect(try await named.audit.verify(as: testOperator).ok)
    }

    /// The attack the key exists for: change an entry and re-hash the chain after it, as the
    /// unkeyed chain allowed. The same rewrite with the audit key verifies, so the key is the check.
    @Test func aRewrittenAndRehashedChainIsCaught() async throws {
        for name in ["a", "b", "c"] { _ = try await database.tools.register([definition(name)], as: testOperator) }
        func rewrite(using key: SymmetricKey?) async throws {
            try await database.pool.write { db in
                try db.execute(sql: "UPDATE audit_log SET principal = 'nobody-did-this' WHERE seq = 2")
                var previous = AuditLog.genesis
                for row in try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY seq") {
                    let entry = AuditLog.decode(row)
                    var rehashed = entry
                    rehashed.prevHash = previous
                    let body = rehashed.canonicalBody
                    rehashed.hash =
                        if let key { Keyring.mac(previous: previous, body: body, key: key) } else { AuditEntry.hash(previous: previous, body: body) }
                    try db.execute(
                        sql: "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [previous, rehashed.hash, entry.seq])
                    previous = rehashed.hash
                }
            }
        }
        try await rewrite(using: nil)
        let caught = try await database.audit.verify(as: testOperator)
        #expect(!caught.ok && caught.firstBadSeq == 1, "\(caught)")
        let key = try #require(try await database.pool.read { db in try database.keyring.auditKeyIfKeyed(in: db) })
        try await rewrite(using: key)
        #expect(try await database.audit.verify(as: testOperator).ok)
    }

    /// A database written before keying: its entries stay as they are, a checkpoint records
    /// their head, the raw signing keys get sealed, and both parts verify.
    @Test func anOlderChainGetsACheckpointAndBothPartsVerify() async throws {
        let token = try await database.tokens.issue(for: "agent", as: testOperator).token
        _ = try await database.tools.register([definition("old")], as: testOperator)
        // Turn the file back into what an older dryad wrote: no audit key, raw signing keys, SHA-256 links.
        try await database.pool.write { db in
            for row in try Row.fetchAll(db, sql: "SELECT kid, secret FROM signing_key") {
                let kid: String = row["kid"]
                let raw = try database.keyring.unseal(row["secret"], for: "signing_key:" + kid, in: db)
                try db.execute(sql: "UPDATE signing_key SET secret = ? WHERE kid = ?", arguments: [raw, kid])
            }
            try db.execute(sql: "DELETE FROM dryad_secret")
            var previous = AuditLog.genesis
            for row in try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY seq") {
                var entry = AuditLog.decode(row)
                entry.prevHash = previous
                entry.hash = AuditEntry.hash(previous: previous, body: entry.canonicalBody)
                try db.execute(sql: "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [previous, entry.hash, entry.seq])
                previous = entry.hash
            }
        }
        let upgraded = try DryadDatabase(path: folder.path + "/d.db")
        let oldHead = try await upgraded.pool.read { db in try AuditLog.lastLink(in: db) }
        #expect(try await upgraded.tokenVerifier.verify(token, requestID: nil).name == "agent")
        _ = try await upgraded.tools.register([definition("new")], as: testOperator)
        let entries = try await upgraded.audit.list(AuditQuery(action: "audit.keyed"), as: testOperator).items
        let checkpoint = try #require(entries.first)
        #expect(checkpoint.seq == oldHead.seq + 1)
        #expect(checkpoint.reason.hasPrefix("keyed chain starts; unkeyed head seq \(oldHead.seq) hash \(oldHead.hash); key "))
        let verification = try await upgraded.audit.verify(as: testOperator)
        #expect(verification.ok && verification.keyedSince == checkpoint.seq, "\(verification)")
        let sealed = try await upgraded.pool.read { db in try Data.fetchAll(db, sql: "SELECT secret FROM signing_key") }
        #expect(!sealed.isEmpty && sealed.allSatisfy(Keyring.isSealed))
        #expect(try await upgraded.tokenVerifier.verify(token, requestID: nil).name == "agent")
        // The head is the newest entry before `audit head`'s own, which the listing shows after it.
        let head = try await upgraded.audit.head(as: testOperator)
        let listed = try await upgraded.audit.list(AuditQuery(), page: PageRequest(limit: 1000), as: testOperator).items
        let newest = try #require(listed.first { $0.seq == head.seq })
        #expect(newest.hash == head.hash && newest.at == head.at)
        #expect(listed.last?.action == "audit.head" && listed.last?.seq == head.seq + 1)
    }

    /// `keys rotate-kek`: every secret re-sealed, the old file kept as `.retired-ID`, tokens
    /// and the audit chain go on working, and the old key opens nothing new.
    @Test func rotatingTheKEKResealsEverything() async throws {
        let token = try await database.tokens.issue(for: "agent", as: testOperator).token
        let oldKey = try #require(try KeyFile.read(keyFile))
        let (old, new) = try await database.tokens.rotateKeyEncryptionKey(as: testOperator)
        #expect(old == Keyring.id(of: oldKey) && old != new)
        #expect(try KeyFile.read(folder.path + "/dryad.key.retired-\(old)").map(Keyring.id) == old)
        #expect(try KeyFile.read(keyFile).map(Keyring.id) == new)
        let fresh = try DryadDatabase(path: folder.path + "/d.db")
        #expect(try await fresh.tokenVerifier.verify(token, requestID: nil).name == "agent")
        #expect(try await fresh.audit.verify(as: testOperator).ok)
        let blob = try await fresh.pool.read { db in try #require(try Data.fetchOne(db, sql: "SELECT secret FROM signing_key")) }
        #expect(throws: DryadError.self) { _ = try Keyring.unseal(blob, for: "signing_key:x", with: oldKey, path: "old") }
        // A process that read the old key before the rotation re-reads the file when it meets the new one.
        #expect(try await database.tokenVerifier.verify(try await fresh.tokens.issue(for: "agent", as: testOperator).token, requestID: nil).name == "agent")
    }

    /// A rotation that committed but stopped before renaming its files is finished on next use.
    @Test func anInterruptedRotationIsFinished() async throws {
        let token = try await database.tokens.issue(for: "agent", as: testOperator).token
        let rotated = try await database.pool.write { db in try database.keyring.resealWithNewKEK(at: database.now(), in: db) }
        #expect(FileManager.default.fileExists(atPath: keyFile + ".new"))
        let next = try DryadDatabase(path: folder.path + "/d.db")
        #expect(try await next.tokenVerifier.verify(token, requestID: nil).name == "agent")
        #expect(try KeyFile.read(keyFile).map(Keyring.id) == rotated.new)
        #expect(!FileManager.default.fileExists(atPath: keyFile + ".new"))
        #expect(FileManager.default.fileExists(atPath: keyFile + ".retired-\(rotated.old)"))
    }
}
