import DryadTestSupport
import Testing

@testable import DryadCore

/// Sessions belong to whoever started them: only they (or an admin) list, show and end them.
@Suite struct SessionStoreTests {
    let folder: TemporaryFolder
    let database: DryadDatabase
    var sessions: SessionStore { database.sessions }

    init() async throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
        _ = try await database.principals.add("planner", type: .agent, role: .member, as: testOperator)
        _ = try await database.principals.add("critic", type: .agent, role: .member, as: testOperator)
    }

    @Test func startShowAndEndOnce() async throws {
        let started = try await sessions.start(label: "nightly", as: testOperator)
        #expect(started.label == "nightly" && started.status == .open && started.principal == testOperator.name)
        #expect(try await sessions.show(started.id, as: testOperator).session == started)
        let ended = try await sessions.end(started.id, as: testOperator)
        #expect(ended.status == .ended && ended.endedAt != nil)
        #expect(await errorCode { _ = try await sessions.end(started.id, as: testOperator) } == "conflict")
        #expect(await errorCode { _ = try await sessions.show("missing", as: testOperator) } == "not_found")
        #expect(await errorCode { _ = try await sessions.start(label: String(repeating: "x", count: 257), as: testOperator) } == "invalid_input")
    }

    @Test func membersSeeAndEndOnlyTheirOwn() async throws {
        let planner = try await database.principals.acting(as: "planner", requestID: nil)
        let critic = try await database.principals.acting(as: "critic", requestID: nil)
        let mine = try await sessions.start(label: nil, as: planner)
        _ = try await sessions.start(label: nil, as: critic)
        #expect(try await sessions.list(as: planner).items.map(\.id) == [mine.id])
        #expect(try await sessions.list(as: testOperator).items.count == 2)
        #expect(await errorCode { _ = try await sessions.show(mine.id, as: critic) } != "no error")
        #expect(await errorCode { _ = try await sessions.end(mine.id, as: critic) } != "no error")
        #expect(try await sessions.show(mine.id, as: planner).session.status == .open)
    }

    @Test func pagesAreNewestFirstAndComplete() async throws {
        var started: [String] = []
        for n in 0..<7 { started.append(try await sessions.start(label: "s\(n)", as: testOperator).id) }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await sessions.list(page: PageRequest(limit: 3, cursor: cursor), as: testOperator)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(Set(seen) == Set(started) && seen.count == started.count)
    }
}
