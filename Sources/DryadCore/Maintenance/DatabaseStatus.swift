import Foundation
import GRDB

/// What `dryad db status` reports about the database file.
public struct DatabaseStatus: Sendable, Encodable {
    public var path: String
    public var schemaVersion: Int
    public var sqliteVersion: String
    public var journalMode: String
    public var sizeBytes: Int
    /// Row counts per kind of record, keyed by a stable name.
    public var counts: [String: Int]

    enum CodingKeys: String, CodingKey {
        case path
        case schemaVersion = "schema_version"
        case sqliteVersion = "sqlite_version"
        case journalMode = "journal_mode"
        case sizeBytes = "size_bytes"
        case counts
    }
}

extension DryadDatabase {
    /// Reads the schema version, SQLite version and row counts.
    public func status(as principal: Principal) async throws(DryadError) -> DatabaseStatus {
        let path = self.path
        return try await audited(principal, .dbStatus, "database") { db, _ in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT sqlite_version(),
                           (SELECT user_version FROM pragma_user_version()),
                           (SELECT journal_mode FROM pragma_journal_mode()),
                           (SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()),
                           (SELECT count(*) FROM tool_registry),
                           (SELECT count(*) FROM tool_version),
                           (SELECT count(*) FROM tool_session),
                           (SELECT count(*) FROM tool_execution)
                    """)
            return DatabaseStatus(
                path: path, schemaVersion: row?[1] ?? 0, sqliteVersion: row?[0] ?? "?", journalMode: row?[2] ?? "?",
                sizeBytes: row?[3] ?? 0,
                counts: [
                    "tools": row?[4] ?? 0, "tool_versions": row?[5] ?? 0, "sessions": row?[6] ?? 0,
                    "executions": row?[7] ?? 0,
                ])
        }
    }
}
