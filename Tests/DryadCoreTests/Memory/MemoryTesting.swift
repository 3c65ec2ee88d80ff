import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// A clock the tests move by hand, so expiry and ordering need no sleeps.
final class MemoryTestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    func set(_ date: Date) { current.withLock { $0 = date } }
}

/// A fresh database with a hand-moved clock, and the helpers the memory suites share: each
/// suite is its own struct (its own database per test) and gets these by conforming.
protocol MemoryTesting {
    var folder: TemporaryFolder { get }
    var clock: MemoryTestClock { get }
    var database: DryadDatabase { get }
}

/// Makes the folder, clock and database of one memory test.
func makeMemoryFixture() throws -> (TemporaryFolder, MemoryTestClock, DryadDatabase) {
    let folder = try TemporaryFolder()
    let clock = MemoryTestClock()
    return (folder, clock, try DryadDatabase(path: folder.path + "/d.db", clock: { clock.now }))
}

extension MemoryTesting {
    var memory: MemoryStore { database.memory }

    static var otherOperator: Principal { Principal(name: "local:other", kind: .user, role: .admin) }

    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    /// Stores a context; the clock first moves on one second (unless `tick` is false) so
    /// creation order is also time order.
    @discardableResult
    func store(
        _ data: String = "{}", agent: String = "planner-7", type: String = MemoryDraft.defaultType,
        parent: String? = nil, tags: [String] = [], ttl: TimeInterval? = nil, tick: Bool = true
    ) async throws -> MemoryContext {
        if tick { clock.advance(1) }
        let draft = MemoryDraft(agentID: agent, contextType: type, data: try parse(data), parentID: parent, tags: tags, ttl: ttl)
        return try await memory.store(draft, as: testOperator)
    }

    /// The DryadError `body` throws, or nil when it succeeds.
    func failure<T>(_ body: () async throws -> T) async -> DryadError? {
        do {
            _ = try await body()
            return nil
        } catch let error as DryadError {
            return error
        } catch {
            Issue.record("unexpected non-DryadError \(error)")
            return nil
        }
    }

    func search(_ text: String, _ query: MemoryQuery = MemoryQuery(), limit: Int = 100) async throws -> [MemoryContext] {
        try await memory.search(text, query, page: PageRequest(limit: limit), as: testOperator).items
    }

    func searchIDs(_ text: String, _ query: MemoryQuery = MemoryQuery()) async throws -> Set<String> {
        Set(try await search(text, query).map(\.id))
    }

    func listIDs(_ query: MemoryQuery = MemoryQuery()) async throws -> [String] {
        try await memory.list(query, page: PageRequest(limit: 1000), as: testOperator).items.map(\.id)
    }

    func isVisible(_ id: String) async -> Bool {
        await failure { try await memory.get(id, as: testOperator) } == nil
    }
}
