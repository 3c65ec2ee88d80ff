import DryadTestSupport
import Foundation
import Testing

@testable import DryadCore

/// `db status`, `db vacuum` and the shell-completion lookups, in process.
@Suite struct DatabaseStatusTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() async throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
        _ = try await database.tools.register([definition("web_search"), definition("web_fetch"), definition("webXsearch")], as: testOperator)
        _ = try await database.tools.register([definition("web_search", version: "2.0.0")], as: testOperator)
    }

    @Test func statusCountsRowsAndNamesTheFile() async throws {
        _ = try await database.sessions.start(label: nil, as: testOperator)
        let status = try await database.status(as: testOperator)
        #expect(status.path == folder.path + "/d.db")
        #expect(status.schemaVersion == DryadDatabase.schemaVersion)
        #expect(status.journalMode == "wal")
        #expect(status.sizeBytes > 0)
        #expect(status.counts == ["tools": 3, "tool_versions": 4, "sessions": 1, "executions": 0])
    }

    @Test func statusAndVacuumAreForAdmins() async throws {
        _ = try await database.principals.add("planner", type: .agent, role: .member, as: testOperator)
        let member = try await database.principals.acting(as: "planner", requestID: nil)
        #expect(await errorCode { _ = try await database.status(as: member) } == "permission_denied")
        #expect(await errorCode { try await database.vacuum(as: member) } == "permission_denied")
        try await database.vacuum(as: testOperator)
        #expect(try await database.check(as: testOperator).allSatisfy(\.ok))
    }

    @Test func completionTreatsWildcardsAsTextAndStaysBounded() {
        let path = folder.path + "/d.db"
        // `_` is a LIKE wildcard: "web_" must not also match "webXsearch".
        #expect(CompletionSource.candidates(.tools, prefix: "web_", path: path) == ["web_fetch", "web_search"])
        #expect(CompletionSource.candidates(.tools, prefix: "web_search@", path: path) == ["web_search@1.0.0", "web_search@2.0.0"])
        #expect(CompletionSource.candidates(.tools, prefix: "%", path: path).isEmpty)
        #expect(CompletionSource.candidates(.tools, prefix: "web", path: folder.path + "/missing.db").isEmpty)
        let notDryad = folder.path + "/other.db"
        _ = FileManager.default.createFile(atPath: notDryad, contents: Data("not sqlite".utf8))
        #expect(CompletionSource.candidates(.tools, prefix: "", path: notDryad).isEmpty)
    }
}
