import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// Error logs: logging with and without a context, listing, resolving, detaching.
@Suite struct ErrorLogTests: MemoryTesting {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    let database: DryadDatabase

    init() throws { (folder, clock, database) = try makeMemoryFixture() }

    // MARK: - Error logs

    @Test func logsErrorsWithAndWithoutAContext() async throws {
        let context = try await store()
        let loose = try await database.errors.log(type: "TimeoutError", message: "took too long", as: testOperator)
        #expect(loose.contextID == nil)
        #expect(loose.fixApplied == false)
        #expect(loose.resolvedAt == nil)
        #expect(loose.resolutionNote == nil)
        #expect(loose.principal == testOperator.name)
        #expect(loose.createdAt == Timestamp.format(clock.now))
        #expect(loose.id.count == 36)

        let tied = try await database.errors.log(
            type: "ParseError", message: "bad", stackTrace: "at line 1\nat line 2",
            contextID: context.id, as: testOperator)
        #expect(tied.contextID == context.id)
        #expect(tied.stackTrace == "at line 1\nat line 2")

        let unknown = await failure {
            try await database.errors.log(type: "E", message: "m", contextID: UUID().uuidString.lowercased(), as: testOperator)
        }
        #expect(unknown?.code == "not_found")
        for (type, message) in [("", "m"), (String(repeating: "t", count: 256), "m"), ("E", "")] {
            let error = await failure { try await database.errors.log(type: type, message: message, as: testOperator) }
            #expect(error?.code == "invalid_input")
        }
        #expect(try await database.errors.list(ErrorQuery(), as: testOperator).items.count == 2)
    }

    @Test func listsErrorsNewestFirstWithFilters() async throws {
        let a = try await store()
        let b = try await store()
        clock.advance(1)
        let e1 = try await database.errors.log(type: "Timeout", message: "1", contextID: a.id, as: testOperator)
        clock.advance(1)
        let e2 = try await database.errors.log(type: "Parse", message: "2", contextID: a.id, as: testOperator)
        clock.advance(1)
        let e3 = try await database.errors.log(type: "Timeout", message: "3", contextID: b.id, as: testOperator)
        clock.advance(1)
        let e4 = try await database.errors.log(type: "Timeout", message: "4", as: testOperator)
        _ = try await database.errors.resolve(e3.id, note: nil, as: testOperator)

        func ids(_ query: ErrorQuery) async throws -> [String] {
            try await database.errors.list(query, as: testOperator).items.map(\.id)
        }
        #expect(try await ids(ErrorQuery()) == [e4.id, e3.id, e2.id, e1.id])
        #expect(try await ids(ErrorQuery(contextID: a.id)) == [e2.id, e1.id])
        #expect(try await ids(ErrorQuery(errorType: "Timeout")) == [e4.id, e3.id, e1.id])
        #expect(try await ids(ErrorQuery(unresolvedOnly: true)) == [e4.id, e2.id, e1.id])
        let since = try #require(Timestamp.parse(e2.createdAt))
        #expect(try await ids(ErrorQuery(since: since)) == [e4.id, e3.id, e2.id])
        #expect(try await ids(ErrorQuery(contextID: b.id, errorType: "Timeout", unresolvedOnly: true)).isEmpty)

        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await database.errors.list(ErrorQuery(), page: PageRequest(limit: 3, cursor: cursor), as: testOperator)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil && seen.count < 10
        #expect(seen == [e4.id, e3.id, e2.id, e1.id])
    }

    @Test func resolvingSetsTheFixAndOnlyOnce() async throws {
        let context = try await store()
        let first = try await database.errors.log(type: "E", message: "one", contextID: context.id, as: testOperator)
        _ = try await database.errors.log(type: "E", message: "two", contextID: context.id, as: testOperator)
        _ = try await database.errors.log(type: "E", message: "elsewhere", as: testOperator)
        #expect(try await memory.get(context.id, as: testOperator).unresolvedErrors == 2)
        #expect(try await memory.resolved(context.id, explain: false, as: testOperator).unresolvedErrors == 2)

        clock.advance(60)
        let resolved = try await database.errors.resolve(first.id, note: "raised the timeout", as: testOperator)
        #expect(resolved.fixApplied)
        #expect(resolved.resolutionNote == "raised the timeout")
        #expect(resolved.resolvedAt == Timestamp.format(clock.now))
        #expect(resolved.createdAt == first.createdAt)
        #expect(try await memory.get(context.id, as: testOperator).unresolvedErrors == 1)

        let twice = await failure { try await database.errors.resolve(first.id, note: nil, as: testOperator) }
        #expect(twice?.code == "conflict")
        let unknown = await failure { try await database.errors.resolve(UUID().uuidString.lowercased(), note: nil, as: testOperator) }
        #expect(unknown?.code == "not_found")
        #expect(try await memory.get(context.id, as: testOperator).unresolvedErrors == 1)
    }

    @Test func deletingAContextKeepsItsErrorsDetached() async throws {
        let context = try await store()
        let error = try await database.errors.log(type: "E", message: "kept", contextID: context.id, as: testOperator)
        #expect(try await memory.delete(context.id, recursive: false, as: testOperator) == 1)

        let remaining = try await database.errors.list(ErrorQuery(), as: testOperator).items
        #expect(remaining.map(\.id) == [error.id])
        #expect(remaining.first?.contextID == nil)
        #expect(remaining.first?.errorMessage == "kept")
        #expect(try await database.errors.list(ErrorQuery(contextID: context.id), as: testOperator).items.isEmpty)
        // A detached error can still be resolved.
        #expect(try await database.errors.resolve(error.id, note: nil, as: testOperator).fixApplied)
    }
}
