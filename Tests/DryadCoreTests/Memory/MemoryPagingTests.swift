import DryadTestSupport
import Foundation
import Testing

@testable import DryadCore

/// The review's finding, performed: the history of a context with 59 versions of 1 MB was one
/// answer of 60 MB. History and children are pages now, capped in items and in bytes.
@Suite struct MemoryPagingTests: MemoryTesting {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    let database: DryadDatabase

    init() throws { (folder, clock, database) = try makeMemoryFixture() }

    /// Follows `next_cursor` to the end; the pages and their items.
    func pages(_ fetch: (PageRequest) async throws -> Page<MemoryContext>, limit: Int = PageRequest.defaultLimit) async throws -> [[MemoryContext]] {
        var pages: [[MemoryContext]] = []
        var cursor: String?
        repeat {
            let page = try await fetch(PageRequest(limit: limit, cursor: cursor))
            pages.append(page.items)
            cursor = page.nextCursor
        } while cursor != nil && pages.count < 100
        return pages
    }

    @Test func historyPagesStopAtTheByteCapAndTogetherHoldEveryVersion() async throws {
        let large = String(repeating: "x", count: 900_000)
        let context = try await store()
        for version in 2...10 {
            _ = try await memory.update(
                context.id, MemoryChange(content: .replace(.object(["v": .integer(Int64(version)), "pad": .string(large)]))), as: testOperator)
        }
        let pages = try await pages { try await memory.history(context.id, page: $0, as: testOperator) }
        #expect(pages.map(\.count) == [5, 4, 1])  // {} then 900 KB each: four of them fit in 4 MiB
        #expect(pages.joined().map(\.version) == Array(1...10))
        for page in pages {
            let bytes = page.map { $0.data.canonicalText.utf8.count }.reduce(0, +)
            #expect(bytes <= PageRequest.maxBytes)
        }
        let byItems = try await self.pages({ try await memory.history(context.id, page: $0, as: testOperator) }, limit: 3)
        #expect(byItems.map(\.count) == [3, 3, 3, 1])
        await #expect(throws: DryadError.invalidInput("cursor: not a cursor returned by this listing")) {
            _ = try await memory.history(context.id, page: PageRequest(cursor: "bm9wZQ"), as: testOperator)
        }
    }

    @Test func childrenPageInSubtreeOrder() async throws {
        let root = try await store(agent: "planner-7")
        var expected: [String] = []
        for i in 0..<5 {
            let child = try await store(#"{"i": \#(i)}"#, agent: "planner-7", parent: root.id)
            expected.append(child.id)
        }
        for i in 0..<3 { expected.append(try await store(#"{"g": \#(i)}"#, agent: "planner-7", parent: expected[i]).id) }
        let pages = try await pages({ try await memory.children(root.id, recursive: true, page: $0, as: testOperator) }, limit: 3)
        #expect(pages.map(\.count) == [3, 3, 2])
        #expect(pages.joined().map(\.id) == expected)
        let direct = try await self.pages({ try await memory.children(root.id, recursive: false, page: $0, as: testOperator) }, limit: 2)
        #expect(direct.joined().map(\.id) == Array(expected.prefix(5)))
    }

    @Test func listPagesStopAtTheByteCap() async throws {
        let large = String(repeating: "y", count: 900_000)
        for i in 0..<10 { _ = try await store(#"{"i": \#(i), "pad": "\#(large)"}"#) }
        let pages = try await pages { try await memory.list(MemoryQuery(), page: $0, as: testOperator) }
        #expect(pages.map(\.count) == [4, 4, 2])
        #expect(Set(pages.joined().map(\.id)).count == 10)
    }

    @Test func searchPagesStopAtTheByteCap() async throws {
        let large = String(repeating: "y", count: 900_000)
        for i in 0..<10 { _ = try await store(#"{"word": "needle", "i": \#(i), "pad": "\#(large)"}"#) }
        let pages = try await pages { try await memory.search("needle", MemoryQuery(), page: $0, as: testOperator) }
        #expect(pages.map(\.count) == [4, 4, 2])
        #expect(Set(pages.joined().map(\.id)).count == 10)
    }

    /// A line of 255 ancestors of a MiB each was one answer: parents are a page now, and a
    /// resolved read refuses to merge more than `MemoryChain.maxResolvedBytes`.
    @Test func parentsPageByBytesAndAResolvedReadHasABudget() async throws {
        let large = String(repeating: "z", count: 950_000)
        var line: [String] = []
        for i in 0..<19 { line.append(try await store(#"{"l\#(i)": "\#(large)"}"#, parent: line.last).id) }
        let pages = try await pages { try await memory.parents(line[18], page: $0, as: testOperator) }
        #expect(pages.map(\.count) == [4, 4, 4, 4, 2])
        #expect(pages.joined().map(\.id) == Array(line.dropLast().reversed()))
        let byItems = try await self.pages({ try await memory.parents(line[18], page: $0, as: testOperator) }, limit: 10)
        #expect(byItems.map(\.count) == [4, 4, 4, 4, 2])  // bytes bind before items here
        #expect(try await self.pages({ try await memory.parents(line[3], page: $0, as: testOperator) }, limit: 2).map(\.count) == [2, 1])

        // Eighteen contexts of 950 kB are over 16 MiB; seventeen are not.
        #expect(try await memory.resolved(line[16], explain: false, as: testOperator).data.objectValue?.count == 17)
        let error = await failure { try await memory.resolved(line[17], explain: true, as: testOperator) }
        #expect(error?.code == "conflict")
        #expect(error?.message.contains("over the 16777216 bytes a resolved read merges") == true)
    }
}
