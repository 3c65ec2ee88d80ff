import DryadTestSupport
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

    /// The review's attack: a backup carrying an extra trigger that made every new principal an
    /// admin was restored, and `db check` passed. Both now compare the schema objects with the
    /// ones the file's schema version defines.
    @Test func restoreRefusesAndCheckReportsSchemaObjectsTheVersionDoesNotDefine() async throws {
        _ = try await database.tools.register([definition("kept")], as: testOperator)
        let planted = folder.path + "/planted.db"
        try await database.backup(to: planted, as: testOperator)
        let trigger = """
            CREATE TRIGGER make_admin AFTER INSERT ON principal
            BEGIN UPDATE principal SET role = 'admin' WHERE name = NEW.name; END
            """
        try await DatabaseQueue(path: planted).write { db in try db.execute(sql: trigger) }
        await #expect(
            throws: DryadError.invalidInput(
                "\(planted) does not hold the schema its version \(DryadDatabase.schemaVersion) defines (extra trigger make_admin); refusing to restore it")
        ) {
            try await database.restore(from: planted, as: testOperator)
        }
        #expect(try await database.check(as: testOperator).allSatisfy(\.ok))
        _ = try await database.principals.add("eve", type: .user, role: .member, as: testOperator)
        #expect(try await database.principals.show("eve", as: testOperator).role == .member)

        // The same trigger in the live file, and a guard trigger altered: `db check` names both.
        try await database.pool.write { db in
            try db.execute(sql: trigger)
            // The guard against NUL bytes in keys, made to never fire.
            let name = "memory_context_key_without_nul_insert"
            let guarded = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [name]) ?? ""
            try db.execute(sql: "DROP TRIGGER \(name)")
            try db.execute(sql: guarded.replacingOccurrences(of: "> 0", with: "> 1000000"))
        }
        let results = try await database.check(as: testOperator)
        #expect(results[3].check == "schema_objects" && !results[3].ok)
        #expect(results[3].detail.contains("extra trigger make_admin"))
        #expect(results[3].detail == "extra trigger make_admin, altered trigger memory_context_key_without_nul_insert")
    }

    @Test func checkReportsATamperedAuditChain() async throws {
        _ = try await database.tools.register([definition("t")], as: testOperator)
        #expect(try await database.check(as: testOperator).map(\.ok) == [true, true, true, true, true])
        #expect(try await database.audit.list(AuditQuery(action: "db.check"), as: testOperator).items.map(\.decision) == ["allow"])
        let member = try await database.principals.add("m", type: .user, role: .member, as: testOperator).principal(requestID: nil)
        #expect(await errorCode { _ = try await database.check(as: member) } == "permission_denied")
        try await database.pool.write { db in try db.execute(sql: "UPDATE audit_log SET action = 'x' WHERE seq = 1") }
        let results = try await database.check(as: testOperator)
        #expect(results.map(\.check) == ["integrity_check", "foreign_key_check", "audit_chain", "schema_objects", "read_cache_markers"])
        #expect(results.map(\.ok) == [true, true, false, true, true])
    }

    /// Without its trigger a server's cached answer would outlive the change: check says so,
    /// and opening the file for a server (with a read cache) puts back what is missing.
    @Test func checkReportsMissingReadCacheMarkersAndAServerRestoresThem() async throws {
        let path = folder.path + "/d.db"
        try await database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER read_generation_tool_version_update; DELETE FROM read_generation WHERE scope = 'memory'")
        }
        let damaged = try await database.check(as: testOperator)
        #expect(damaged.map(\.ok) == [true, true, true, false, false])
        #expect(damaged[3].detail == "missing trigger read_generation_tool_version_update")
        #expect(
            damaged.last?.detail
                == "missing trigger read_generation_tool_version_update, scope memory: a running dryad serve may answer stale reads until it is restarted, which restores them"
        )
        _ = try DryadDatabase(path: path)
        #expect(try await database.check(as: testOperator).last?.ok == false, "a CLI open leaves the file as it is")
        _ = try DryadDatabase(path: path, readAudit: .batched(interval: .milliseconds(5)), readCacheBytes: 1 << 20)
        #expect(try await database.check(as: testOperator).map(\.ok) == [true, true, true, true, true])
        // The restored trigger marks a change again.
        _ = try await database.tools.register([definition("t")], as: testOperator)
        let before = try await database.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM read_generation WHERE scope = 'tools'") }
        _ = try await database.tools.update(.nameOrID("t"), ToolChanges(description: "changed"), as: testOperator)
        let after = try await database.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM read_generation WHERE scope = 'tools'") }
        #expect(before != after)

        // Without the table every write fails (the triggers update it); a server start puts it back.
        try await database.pool.write { db in try db.execute(sql: "DROP TABLE read_generation") }
        #expect(try await database.check(as: testOperator).last?.detail.hasPrefix("missing table read_generation:") == true)
        _ = try DryadDatabase(path: path, readAudit: .batched(interval: .milliseconds(5)), readCacheBytes: 1 << 20)
        #expect(try await database.check(as: testOperator).map(\.ok) == [true, true, true, true, true])
        _ = try await database.tools.register([definition("u")], as: testOperator)
    }
}
