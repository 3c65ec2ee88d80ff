import DryadTestSupport
import Foundation
import Testing

@testable import DryadCore

/// The review's finding, performed: a cursor from one listing was accepted by another and
/// silently shifted its page. Cursors name the listing and filters they belong to.
@Suite struct CursorScopeTests: MemoryTesting {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    let database: DryadDatabase

    init() throws { (folder, clock, database) = try makeMemoryFixture() }

    static let refusal = DryadError.invalidInput("cursor: made by another listing or with other filters; start again without it")

    @Test func aCursorContinuesOnlyItsOwnListingWithItsOwnFilters() async throws {
        for i in 0..<3 {
            _ = try await store(#"{"word": "needle", "i": \#(i)}"#, agent: "planner-7", tags: ["a"])
            _ = try await store(#"{"word": "needle", "i": \#(i)}"#, agent: "critic-2", tags: ["a"])
        }
        let planner = MemoryQuery(agentID: "planner-7")
        let first = try await memory.list(planner, page: PageRequest(limit: 2), as: testOperator)
        let cursor = try #require(first.nextCursor)
        // The same listing, with the same filters (and any `since`), goes on.
        let second = try await memory.list(
            MemoryQuery(agentID: "planner-7", since: Date(timeIntervalSince1970: 0)), page: PageRequest(cursor: cursor), as: testOperator)
        #expect(second.items.count == 1 && Set((first.items + second.items).map(\.id)).count == 3)

        await #expect(throws: Self.refusal) { _ = try await memory.list(MemoryQuery(agentID: "critic-2"), page: PageRequest(cursor: cursor), as: testOperator) }
        await #expect(throws: Self.refusal) {
            _ = try await memory.list(MemoryQuery(agentID: "planner-7", tags: ["a"]), page: PageRequest(cursor: cursor), as: testOperator)
        }
        await #expect(throws: Self.refusal) { _ = try await memory.search("needle", planner, page: PageRequest(cursor: cursor), as: testOperator) }
        await #expect(throws: Self.refusal) { _ = try await database.errors.list(ErrorQuery(), page: PageRequest(cursor: cursor), as: testOperator) }
        await #expect(throws: Self.refusal) { _ = try await database.audit.list(AuditQuery(), page: PageRequest(cursor: cursor), as: testOperator) }
        await #expect(throws: Self.refusal) { _ = try await database.sessions.list(page: PageRequest(cursor: cursor), as: testOperator) }
        await #expect(throws: Self.refusal) { _ = try await database.tools.list(ToolQuery(), page: PageRequest(cursor: cursor), as: testOperator) }

        // Searches are scoped by their text too.
        let found = try await memory.search("needle", MemoryQuery(), page: PageRequest(limit: 2), as: testOperator)
        let next = try #require(found.nextCursor)
        #expect(try await memory.search("needle", MemoryQuery(), page: PageRequest(cursor: next), as: testOperator).items.count == 4)
        await #expect(throws: Self.refusal) { _ = try await memory.search("needl*", MemoryQuery(), page: PageRequest(cursor: next), as: testOperator) }
    }

    @Test func aContextsCursorsDoNotCrossToAnotherContext() async throws {
        let a = try await store()
        let b = try await store()
        for context in [a, b] {
            for _ in 0..<2 { _ = try await memory.update(context.id, MemoryChange(tags: ["t\(Int.random(in: 0..<1000))"]), as: testOperator) }
            for _ in 0..<2 { _ = try await store(parent: context.id) }
        }
        let history = try #require(try await memory.history(a.id, page: PageRequest(limit: 1), as: testOperator).nextCursor)
        await #expect(throws: Self.refusal) { _ = try await memory.history(b.id, page: PageRequest(cursor: history), as: testOperator) }
        let children = try #require(try await memory.children(a.id, recursive: false, page: PageRequest(limit: 1), as: testOperator).nextCursor)
        await #expect(throws: Self.refusal) { _ = try await memory.children(b.id, recursive: false, page: PageRequest(cursor: children), as: testOperator) }
        await #expect(throws: Self.refusal) { _ = try await memory.children(a.id, recursive: true, page: PageRequest(cursor: children), as: testOperator) }
        #expect(try await memory.children(a.id, recursive: false, page: PageRequest(cursor: children), as: testOperator).items.count == 1)
    }
}
