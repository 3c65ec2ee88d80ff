import DryadTestSupport
import Foundation
import GRDB
import Testing

@testable import DryadCore

/// The hash chain catches edits, insertions and deletions, and survives pruning.
@Suite struct AuditLogTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() async throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
        for i in 0..<6 { _ = try await database.tools.register([definition("t\(i)")], as: testOperator) }
    }

    func tamper(_ sql: String) async throws {
        try await database.pool.write { db in try db.execute(sql: sql) }
    }

    @Test func everyChangeAndReadIsChained() async throws {
        _ = try await database.tools.get(.nameOrID("t1"), as: testOperator)
        let entries = try await database.audit.list(AuditQuery(), as: testOperator).items
        #expect(entries.map(\.seq) == Array(1...entries.count))
        #expect(entries.prefix(6).allSatisfy { $0.action == "tools.register" && $0.decision == "allow" && $0.principal == "local:tester" })
        #expect(entries[6].action == "tools.get")
        #expect(entries[6].resource == "tool:t1@1.0.0")
        for (earlier, later) in zip(entries, entries.dropFirst()) { #expect(later.prevHash == earlier.hash) }
        #expect(try await database.audit.verify(as: testOperator).ok)
    }

    @Test func aBatchChainsEachEntryToTheOneBefore() async throws {
        let drafts = (0..<3).map { i in
            AuditDraft(
                principal: "p\(i)", action: "tools.get", resource: "tool:t\(i)@1.0.0", allowed: i != 1, reason: "r",
                requestID: i == 2 ? nil : "req-\(i)", at: "2026-01-01T00:00:0\(i).000Z")
        }
        try await database.pool.write { db in try AuditLog.append(drafts, keyring: database.keyring, in: db) }
        let entries = try await database.audit.list(AuditQuery(), as: testOperator).items
        #expect(entries.map(\.seq) == Array(1...9))
        #expect(entries.suffix(3).map(\.principal) == ["p0", "p1", "p2"])
        #expect(entries.suffix(3).map(\.decision) == ["allow", "deny", "allow"])
        #expect(entries.last?.requestID == nil)
        for (earlier, later) in zip(entries, entries.dropFirst()) { #expect(later.prevHash == earlier.hash) }
        #expect(try await database.audit.verify(as: testOperator).ok)
    }

    @Test func anEditedRowIsCaught() async throws {
        try await tamper("UPDATE audit_log SET principal = 'someone-else' WHERE seq = 3")
        let result = try await database.audit.verify(as: testOperator)
        #expect(!result.ok)
        #expect(result.firstBadSeq == 3)
        #expect(result.problem == "entry 3 was changed after it was written")
    }

    @Test func aDeletedRowIsCaught() async throws {
        try await tamper("DELETE FROM audit_log WHERE seq = 4")
        let result = try await database.audit.verify(as: testOperator)
        #expect(result.firstBadSeq == 5)
        #expect(result.problem == "entry 5 follows 3: entries are missing or were inserted")
    }

    @Test func anInsertedRowIsCaught() async throws {
        try await tamper(
            """
            UPDATE audit_log SET seq = seq + 100 WHERE seq > 3;
            INSERT INTO audit_log (seq, at, principal, action, resource, decision, reason, prev_hash, hash)
                SELECT 4, at, 'forger', 'tools.delete', 'tool:t0', 'allow', 'role admin', hash, hash FROM audit_log WHERE seq = 3;
            UPDATE audit_log SET seq = seq - 99 WHERE seq > 100;
            """)
        let result = try await database.audit.verify(as: testOperator)
        #expect(!result.ok)
        #expect(result.firstBadSeq == 4)
    }

    /// A decision filter is allow or deny; anything else is a mistake, not an empty result.
    @Test func decisionFiltersAreAllowOrDeny() async throws {
        #expect(try await database.audit.list(AuditQuery(decision: "allow"), as: testOperator).items.allSatisfy { $0.decision == "allow" })
        #expect(await errorCode { _ = try await database.audit.list(AuditQuery(decision: "maybe"), as: testOperator) } == "invalid_input")
    }

    @Test func pruningKeepsTheRestVerifiable() async throws {
        let removed = try await database.audit.prune(before: Date().addingTimeInterval(60), as: testOperator)
        #expect(removed == 6)
        _ = try await database.tools.register([definition("after")], as: testOperator)
        let result = try await database.audit.verify(as: testOperator)
        #expect(result.ok)
        #expect(try await database.audit.list(AuditQuery(), as: testOperator).items.first?.seq == 7)
    }
}

@Suite struct AuditCanonicalBodyTests {
    /// The hand-written body must be byte for byte the canonical JSON earlier entries were hashed over.
    @Test(arguments: [
        "plain", "quote \" back\\slash /slash", "tab\tnew\nline\rcr", "\u{01}\u{08}\u{0C}\u{1F}\u{7F}",
        "héllo ✓ 中文 😀", "", "{\"json\":[1,2]}",
    ])
    func matchesTheCanonicalText(text: String) {
        for requestID in [nil, text] {
            let entry = AuditEntry(
                seq: 42, at: "2026-11-26T10:00:00.000Z", principal: text, action: "tools.get", resource: "tool:\(text)",
                decision: "allow", reason: text, requestID: requestID, prevHash: "", hash: "")
            #expect(String(decoding: entry.canonicalBody, as: UTF8.self) == entry.canonicalValue.canonicalText)
        }
    }
}
