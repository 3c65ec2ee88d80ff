import DryadTestSupport
import Foundation
import Testing

@testable import DryadCore

/// Batched read audits (`dryad serve`): written soon after the read without a flush, in the
/// order the reads happened, and no timer left running while nothing is read.
@Suite struct AuditBatcherTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() async throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db", readAudit: .batched(interval: .milliseconds(5)))
        _ = try await database.tools.register((0..<3).map { definition("t\($0)") }, as: testOperator)
    }

    /// The audited reads of tools, oldest first, read through a database that audits immediately.
    func readEntries() async throws -> [AuditEntry] {
        let plain = try DryadDatabase(path: folder.path + "/d.db")
        return try await plain.audit.list(AuditQuery(action: "tools.get"), page: PageRequest(limit: 1000), as: testOperator).items
    }

    /// Waits for `count` read entries: a batch lands ~5 ms after its first read, but a loaded
    /// machine can hold the writer up for seconds, so the wait is long and ends at the count.
    func waitForEntries(_ count: Int) async throws -> [AuditEntry] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let entries = try await readEntries()
            if entries.count >= count || ContinuousClock.now > deadline { return entries }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func readsReachTheChainWithoutAFlushAndTheBatcherGoesIdle() async throws {
        await database.startAuditBatching()
        #expect(database.batcher.isIdle, "no timer before the first read")
        for name in ["t0", "t1", "t2"] { _ = try await database.tools.get(.nameOrID(name), as: testOperator) }

        let entries = try await waitForEntries(3)
        #expect(entries.map(\.resource) == ["tool:t0@1.0.0", "tool:t1@1.0.0", "tool:t2@1.0.0"])
        let deadline = ContinuousClock.now + .seconds(30)
        while !database.batcher.isIdle && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(database.batcher.isIdle, "nothing scheduled once the batch is written")
        await database.flushAudit()
    }

    /// Refusals outside a transaction (a bad token, a rate limit) ride the same batches, in order with the reads.
    @Test func refusalsAreBatchedWithTheReads() async throws {
        await database.startAuditBatching()
        _ = try await database.tools.get(.nameOrID("t0"), as: testOperator)
        await #expect(throws: DryadError.permissionDenied("invalid token")) {
            _ = try await database.tokenVerifier.verify("not.a.token", requestID: "r1")
        }
        _ = try await database.tools.get(.nameOrID("t1"), as: testOperator)
        await database.flushAudit()
        let plain = try DryadDatabase(path: folder.path + "/d.db")
        let entries = try await plain.audit.list(AuditQuery(), page: PageRequest(limit: 1000), as: testOperator).items
            .filter { $0.action == "tools.get" || $0.action == "auth.token" }
        #expect(entries.map(\.action) == ["tools.get", "auth.token", "tools.get"])
        #expect(entries[1].decision == "deny")
        #expect(entries[1].requestID == "r1")
        #expect(try await plain.audit.verify(as: testOperator).ok)
    }

    @Test func entriesArrivingDuringWritesKeepTheirOrder() async throws {
        await database.startAuditBatching()
        // Reads spread over many batches, some landing while a batch is being written.
        for index in 0..<300 {
            _ = try await database.tools.get(.nameOrID("t\(index % 3)"), as: testOperator)
            if index % 50 == 0 { try await Task.sleep(for: .milliseconds(7)) }
        }
        await database.flushAudit()
        #expect(database.batcher.isIdle)
        let entries = try await readEntries()
        #expect(entries.map(\.resource) == (0..<300).map { "tool:t\($0 % 3)@1.0.0" })
        #expect(try await database.audit.verify(as: testOperator).ok)
    }

    @Test func readsBeforeStartQueueAndAreWrittenOnStopEvenWithoutStart() async throws {
        _ = try await database.tools.get(.nameOrID("t0"), as: testOperator)
        // Not started: the entry waits in the queue and no write is scheduled that could take it.
        #expect(database.batcher.queue == (pending: 1, scheduled: false))
        #expect(try await readEntries().isEmpty)
        await database.flushAudit()
        #expect(try await readEntries().map(\.resource) == ["tool:t0@1.0.0"])
    }

    @Test func aFullQueueRefusesReadsInsteadOfLeavingThemUnaudited() async throws {
        // Given a batcher that never writes (not started) and holds three entries at most,
        let small = try DryadDatabase(path: folder.path + "/d.db", readAudit: .batched(interval: .milliseconds(5), capacity: 3))
        for name in ["t0", "t1", "t2"] { _ = try await small.tools.get(.nameOrID(name), as: testOperator) }

        // when a fourth read comes, it fails as busy (503 / exit 75) and is not answered;
        var refusal: DryadError?
        do { _ = try await small.tools.get(.nameOrID("t0"), as: testOperator) } catch { refusal = error }
        #expect(refusal?.code == "busy")
        #expect(refusal?.message == "the audit trail is not being written (its queue is full); reads are refused until it is")

        // once the queue is written, reads work again and exactly the answered ones are audited.
        await small.flushAudit()
        _ = try await small.tools.get(.nameOrID("t1"), as: testOperator)
        await small.flushAudit()
        #expect(try await readEntries().map(\.resource) == ["tool:t0@1.0.0", "tool:t1@1.0.0", "tool:t2@1.0.0", "tool:t1@1.0.0"])
    }
}
