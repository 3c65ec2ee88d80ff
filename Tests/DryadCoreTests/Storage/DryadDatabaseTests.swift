import DryadTestSupport
import Foundation
import GRDB
import Testing

@testable import DryadCore

@Suite struct DryadDatabaseTests {
    @Test func createsPrivateFileAndParentFolders() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/a/b/dryad.db"
        _ = try DryadDatabase(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func usesWALWithFullSynchronousAndForeignKeys() throws {
        let folder = try TemporaryFolder()
        let database = try DryadDatabase(path: folder.path + "/d.db")
        let (journal, synchronous, foreignKeys) = try database.pool.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)  // FULL
        #expect(foreignKeys == 1)
    }

    @Test func reopeningACurrentFileKeepsItsData() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/d.db"
        _ = try await DryadDatabase(path: path).tools.register([definition("kept")], as: testOperator)
        let status = try await DryadDatabase(path: path).status(as: testOperator)
        #expect(status.schemaVersion == DryadDatabase.schemaVersion)
        #expect(status.counts["tools"] == 1)
        #expect(status.counts["tool_versions"] == 1)
        #expect(status.sqliteVersion.hasPrefix("3."))
    }

    @Test func refusesAFileFromANewerDryad() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/d.db"
        _ = try DryadDatabase(path: path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "PRAGMA user_version = \(DryadDatabase.schemaVersion + 1)")
        }
        #expect(throws: DryadError.schemaTooNew(found: DryadDatabase.schemaVersion + 1, supported: DryadDatabase.schemaVersion)) {
            _ = try DryadDatabase(path: path)
        }
    }

    @Test func refusesSomeoneElsesDatabaseAndNonDatabaseFiles() throws {
        let folder = try TemporaryFolder()
        let foreign = folder.path + "/foreign.db"
        try DatabaseQueue(path: foreign).write { db in try db.execute(sql: "CREATE TABLE notes (body TEXT)") }
        let before = try Data(contentsOf: URL(fileURLWithPath: foreign))
        #expect(throws: DryadError.invalidInput("\(foreign) is not a dryad database")) {
            _ = try DryadDatabase(path: foreign)
        }
        // Refused before anything is written: not even switched to WAL.
        #expect(try Data(contentsOf: URL(fileURLWithPath: foreign)) == before)
        #expect(!FileManager.default.fileExists(atPath: foreign + "-wal"))
        let text = folder.path + "/text.db"
        try Data(String(repeating: "not sqlite at all\n", count: 100).utf8).write(to: URL(fileURLWithPath: text))
        do {
            _ = try DryadDatabase(path: text)
            Issue.record("a text file opened as a database")
        } catch {
            #expect(error.code == "invalid_input")
        }
    }
}
