import DryadTestSupport
import Foundation
import GRDB
import MetricsTestKit
import Testing

@testable import DryadCore

/// The server's read cache: repeated reads are answered from it, and never after a change to
/// what they read (by this handle, another process's handle or plain SQL), past an expiry, or
/// to another principal; every answer is still audited.
@Suite struct ReadCacheTests {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    /// The server's handle: batched read audits and a cache.
    let server: DryadDatabase
    /// Another process's handle on the same file (the CLI): no cache, immediate audits.
    let other: DryadDatabase
    /// Where the server's cache counts its lookups (swift-metrics).
    let metrics = TestMetrics()

    init() async throws {
        folder = try TemporaryFolder()
        let clock = MemoryTestClock()
        self.clock = clock
        server = try DryadDatabase(
            path: folder.path + "/d.db", readAudit: .batched(interval: .milliseconds(5)), readCacheBytes: 1 << 20, clock: { clock.now }, metrics: metrics)
        other = try DryadDatabase(path: folder.path + "/d.db", clock: { clock.now })
        await server.startAuditBatching()
    }

    var cache: ReadCache { get throws { try #require(server.readCache) } }
    var hits: Int64 { get throws { try lookups("hit") } }

    func lookups(_ result: String) throws -> Int64 {
        try metrics.expectCounter("dryad_read_cache_lookups_total", [("result", result)]).totalValue
    }

    func names(_ page: Page<EncodedJSON>) throws -> [String] {
        try page.items.map { try #require(try JSONValue.parse(String(decoding: $0.bytes, as: UTF8.self)).objectValue?["name"]?.stringValue) }
    }

    func listNames(as principal: Principal = testOperator) async throws -> [String] {
        try names(try await server.tools.listEncoded(ToolQuery(), as: principal))
    }

    func searchIDs(_ text: String, as principal: Principal = testOperator) async throws -> [String] {
        let page = try JSONValue.parse(String(decoding: try await server.memory.searchEncoded(text, MemoryQuery(), as: principal).bytes, as: UTF8.self))
        return (page.objectValue?["items"]?.arrayValue ?? []).compactMap { $0.objectValue?["id"]?.stringValue }
    }

    func resolvedData(_ id: String) async throws -> JSONValue? {
        let record = try await server.memory.resolvedEncoded(id, explain: false, as: testOperator)
        return try JSONValue.parse(String(decoding: record.json.bytes, as: UTF8.self)).objectValue?["data"]
    }

    @Test func aRepeatedPageIsAHitAndAnotherHandlesRegistrationIsSeenAtOnce() async throws {
        _ = try await other.tools.register([definition("a"), definition("b")], as: testOperator)
        #expect(try await listNames() == ["a", "b"])
        #expect(try await listNames() == ["a", "b"])
        #expect(try hits == 1)

        _ = try await other.tools.register([definition("c")], as: testOperator)
        #expect(try await listNames() == ["a", "b", "c"])
        #expect(try hits == 1, "the change made the next read a miss")
        _ = try await other.tools.update(.nameOrID("a"), ToolChanges(description: "changed"), as: testOperator)
        let page = try await server.tools.listEncoded(ToolQuery(), as: testOperator)
        #expect(String(decoding: page.items[0].bytes, as: UTF8.self).contains("changed"))
    }

    @Test func aChangeMadeWithPlainSQLInvalidatesToo() async throws {
        _ = try await other.tools.register([definition("a")], as: testOperator)
        #expect(try await listNames() == ["a"])
        let queue = try DatabaseQueue(path: folder.path + "/d.db")
        try await queue.write { db in try db.execute(sql: "UPDATE tool_registry SET name = 'renamed'") }
        try queue.close()
        #expect(try await listNames() == ["renamed"])
    }

    @Test func answersAreKeptPerPrincipalAndFollowGrants() async throws {
        _ = try await other.tools.register([definition("a"), definition("b")], as: testOperator)
        let member = try await other.principals.add("carol", type: .user, role: .member, as: testOperator).principal(requestID: nil)
        #expect(try await listNames() == ["a", "b"])
        #expect(try await listNames(as: member) == [], "the admin's answer is not the member's")
        _ = try await other.permissions.grant("b", to: .principal("carol"), level: .read, as: testOperator)
        #expect(try await listNames(as: member) == ["b"])
        #expect(try await listNames(as: member) == ["b"])
        #expect(try hits == 1)
    }

    @Test func hitsAreAuditedLikeReads() async throws {
        _ = try await other.tools.register([definition("a")], as: testOperator)
        for _ in 0..<3 { _ = try await listNames() }
        #expect(try hits == 2)
        await server.flushAudit()
        let entries = try await other.audit.list(AuditQuery(action: "tools.list"), as: testOperator).items
        #expect(entries.count == 3)
        #expect(entries.allSatisfy { $0.decision == "allow" && $0.resource == "tools" && $0.reason == "role admin" })
    }

    @Test func aSearchIsNotAnsweredPastTheExpiryOfAContextInIt() async throws {
        let lasting = try await other.memory.store(MemoryDraft(agentID: "a1", data: .object(["note": .string("apple")])), as: testOperator)
        let brief = try await other.memory.store(MemoryDraft(agentID: "a1", data: .object(["note": .string("apple")]), ttl: 60), as: testOperator)
        #expect(Set(try await searchIDs("apple")) == [lasting.id, brief.id])
        clock.advance(30)
        #expect(Set(try await searchIDs("apple")) == [lasting.id, brief.id])
        #expect(try hits == 1)
        clock.advance(31)
        #expect(try await searchIDs("apple") == [lasting.id], "expired with no write in between")
    }

    @Test func aClockSetBackIsNotAnsweredFromLaterReads() async throws {
        let brief = try await other.memory.store(MemoryDraft(agentID: "a1", data: .object(["note": .string("plum")]), ttl: 60), as: testOperator)
        clock.advance(120)
        #expect(try await searchIDs("plum") == [])
        clock.advance(-90)
        #expect(try await searchIDs("plum") == [brief.id])
        #expect(try hits == 0)
    }

    @Test func searchesWithSinceAreNotKept() async throws {
        _ = try await other.memory.store(MemoryDraft(agentID: "a1", data: .object(["note": .string("fig")])), as: testOperator)
        let query = MemoryQuery(since: clock.now.addingTimeInterval(-3600))
        for _ in 0..<2 { _ = try await server.memory.searchEncoded("fig", query, as: testOperator) }
        #expect(try lookups("miss") == 0, "not even looked up")
        #expect(try hits == 0)
    }

    /// A migration that rebuilds a table drops its triggers; this keeps all 21 (7 tables × 3 events).
    @Test func everyTableAnAnswerReadsHasItsTriggers() async throws {
        let queue = try DatabaseQueue(path: folder.path + "/d.db")
        let triggers = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'read_generation_%'")
        }
        #expect(triggers.count == 21)
        #expect(
            Set(triggers) == ["tool_registry", "tool_version", "tool_permission", "memory_context", "memory_share", "error_log", "principal"])
    }

    @Test func aResolvedContextFollowsItsAncestorsAndErrorLogs() async throws {
        let root = try await other.memory.store(MemoryDraft(agentID: "a1", data: .object(["x": .integer(1)])), as: testOperator)
        let child = try await other.memory.store(MemoryDraft(agentID: "a1", data: .object(["y": .integer(2)]), parentID: root.id), as: testOperator)
        #expect(try await resolvedData(child.id) == .object(["x": .integer(1), "y": .integer(2)]))
        _ = try await other.memory.update(root.id, MemoryChange(content: .replace(.object(["x": .integer(5)]))), as: testOperator)
        #expect(try await resolvedData(child.id) == .object(["x": .integer(5), "y": .integer(2)]))

        let before = try await server.memory.resolvedEncoded(child.id, explain: false, as: testOperator)
        _ = try await other.errors.log(type: "E", message: "boom", contextID: child.id, as: testOperator)
        let after = try await server.memory.resolvedEncoded(child.id, explain: false, as: testOperator)
        #expect(before.json != after.json, "the unresolved error count is part of the answer")
        #expect(after.entityTag.hasPrefix("\(child.version)-"))
    }

    @Test func anAgentDoesNotGetAnotherAgentsSearchUntilShared() async throws {
        let owner = try await other.principals.add("owner", type: .agent, role: .member, as: testOperator).principal(requestID: nil)
        let reader = try await other.principals.add("reader", type: .agent, role: .member, as: testOperator).principal(requestID: nil)
        let context = try await other.memory.store(MemoryDraft(agentID: "owner", data: .object(["n": .string("pear")])), as: owner)
        #expect(try await searchIDs("pear", as: owner) == [context.id])
        #expect(try await searchIDs("pear", as: reader) == [])
        _ = try await other.memory.share(context.id, with: "reader", access: .read, as: owner)
        #expect(try await searchIDs("pear", as: reader) == [context.id])
    }

    @Test func aFullCacheDropsEntriesToStayWithinItsCapacity() throws {
        let cache = ReadCache(capacity: 8_000)
        // Each entry costs 1,000 with its key ("k12", 3 bytes), note ("r", "allowed") and overhead (256).
        let stamp = ReadCache.Stamp(generation: 1, validFrom: nil, validUntil: nil)
        let note = AuditNote(resource: "r", reason: "allowed")
        for index in 0..<100 {
            cache.store(.tools, "k\(index)", index, note: note, cost: 1000 - 256 - 3 - 1 - 7, stamp: stamp)
        }
        let kept = (0..<100).filter { (cache.lookup(.tools, "k\($0)", generation: 1, now: "") as (Int, AuditNote)?) != nil }
        #expect(kept.count == 8)
        #expect(kept.contains(99), "the newest answer is kept")
        #expect((cache.lookup(.tools, "k99", generation: 2, now: "") as (Int, AuditNote)?) == nil)
        #expect((cache.lookup(.tools, "k99", generation: 1, now: "") as (Int, AuditNote)?) == nil, "a new generation emptied the shelf")
    }
}
