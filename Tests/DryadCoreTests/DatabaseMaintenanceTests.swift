import Foundation
import GRDB
import Testing

@testable import DryadCore

@Suite struct DatabaseMaintenanceTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    @Test func aBackupTakenDuringWritesHoldsEveryEarlierWriteAndRestores() async throws {
        for i in 0..<20 { _ = try await database.tools.register([definition("before\(i)")], as: testOperator) }
        let second = try DryadDatabase(path: folder.path + "/d.db")
        let writer = Task {
            for i in 0..<40 { _ = try await second.tools.register([definition("during\(i)")], as: testOperator) }
        }
        try await database.backup(to: folder.path + "/copy.db", as: testOperator)
        try await writer.value
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.path + "/copy.db")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let copy = try DryadDatabase(path: folder.path + "/copy.db")
        let names = Set(try await copy.tools.list(ToolQuery(), page: PageRequest(limit: 1000), as: testOperator).items.map(\.name))
        #expect((0..<20).allSatisfy { names.contains("before\($0)") })
        #expect(try await copy.check(as: testOperator).allSatisfy(\.ok))

        // Restoring the copy brings the live database back to it, audit chain included.
        _ = try await database.tools.register([definition("after")], as: testOperator)
        try await database.restore(from: folder.path + "/copy.db", as: testOperator)
        let restored = Set(try await database.tools.list(ToolQuery(), page: PageRequest(limit: 1000), as: testOperator).items.map(\.name))
        #expect(restored == names)
        #expect(try await database.check(as: testOperator).allSatisfy(\.ok))
        #expect(try await database.audit.list(AuditQuery(action: "db.restore"), as: testOperator).items.count == 1)
        await #expect(throws: DryadError.conflict("\(folder.path)/copy.db exists already; choose a new file")) {
            try await database.backup(to: folder.path + "/copy.db", as: testOperator)
        }
    }

    @Test func restoreRefusesFilesThatAreNotHealthyDryadDatabases() async throws {
        _ = try await database.tools.register([definition("kept")], as: testOperator)
        let foreign = folder.path + "/foreign.db"
        try await DatabaseQueue(path: foreign).write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        let text = folder.path + "/text.db"
        try Data(String(repeating: "hello\n", count: 1000).utf8).write(to: URL(fileURLWithPath: text))
        let newer = folder.path + "/newer.db"
        try await database.backup(to: newer, as: testOperator)
        try await DatabaseQueue(path: newer).write { db in try db.execute(sql: "PRAGMA user_version = 99") }
        for (file, code) in [(foreign, "invalid_input"), (text, "invalid_input"), (newer, "schema_too_new"), (folder.path + "/missing.db", "invalid_input")] {
            do {
                try await database.restore(from: file, as: testOperator)
                Issue.record("restored \(file)")
            } catch {
                #expect(error.code == code, "\(file): \(error)")
            }
        }
        #expect(try await database.tools.get(.nameOrID("kept"), as: testOperator).name == "kept")
    }

    @Test func checkReportsATamperedAuditChain() async throws {
        _ = try await database.tools.register([definition("t")], as: testOperator)
        #expect(try await database.check(as: testOperator).map(\.ok) == [true, true, true])
        #expect(try await database.audit.list(AuditQuery(action: "db.check"), as: testOperator).items.map(\.decision) == ["allow"])
        let member = try await database.principals.add("m", type: .user, role: .member, as: testOperator).principal(requestID: nil)
        #expect(await errorCode { _ = try await database.check(as: member) } == "permission_denied")
        try await database.pool.write { db in try db.execute(sql: "UPDATE audit_log SET action = 'x' WHERE seq = 1") }
        let results = try await database.check(as: testOperator)
        #expect(results.map(\.check) == ["integrity_check", "foreign_key_check", "audit_chain"])
        #expect(results.map(\.ok) == [true, true, false])
    }
}
