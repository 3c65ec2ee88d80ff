import Foundation
import GRDB

/// Reads and writes execution records: history, single records and usage statistics.
public struct ExecutionLog: Sendable {
    let database: DryadDatabase

    // MARK: - Reading

    /// One execution record by id.
    public func show(_ id: String, as principal: Principal) async throws(DryadError) -> ExecutionRecord {
        try AccessPolicy.authorize(principal, "read", resource: "execution:\(id)")
        return try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM tool_execution WHERE id = ?", arguments: [id]) else {
                throw DryadError.notFound("execution \(id) not found")
            }
            return try Self.decode(row)
        }
    }

    /// A tool's executions, newest first. Works by name after the tool is deleted.
    public func history(_ reference: ToolReference, _ query: ExecutionQuery = ExecutionQuery(), page: PageRequest = PageRequest(),
                        as principal: Principal) async throws(DryadError) -> Page<ExecutionRecord> {
        try AccessPolicy.authorize(principal, "read", resource: "tool:\(reference)")
        let page = try page.validated()
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        let exists: String
        var existsArguments: [(any DatabaseValueConvertible)?] = []
        switch reference {
        case .version(let name, let version):
            conditions.append("tool_name = ? AND tool_version = ?")
            arguments += [name, version.description]
            exists = "SELECT EXISTS (SELECT 1 FROM tool_registry WHERE name = ?) OR EXISTS (SELECT 1 FROM tool_execution WHERE tool_name = ?)"
            existsArguments = [name, name]
        case .nameOrID(let text):
            conditions.append("(tool_name = ? OR tool_id = ?)")
            arguments += [text, text]
            exists = """
                SELECT EXISTS (SELECT 1 FROM tool_registry WHERE name = ?1 OR id = ?1)
                    OR EXISTS (SELECT 1 FROM tool_execution WHERE tool_name = ?1 OR tool_id = ?1)
                """
            existsArguments = [text]
        }
        Self.addFilters(query, to: &conditions, &arguments)
        if let cursor = page.cursor {
            let key = try Cursor.decode(cursor, fields: 2)
            conditions.append("(started_at < ? OR (started_at = ? AND id < ?))")
            arguments += [key[0], key[0], key[1]]
        }
        let sql = "SELECT * FROM tool_execution WHERE \(conditions.joined(separator: " AND ")) ORDER BY started_at DESC, id DESC LIMIT ?"
        arguments.append(page.limit + 1)
        let statementArguments = StatementArguments(arguments)
        let existsStatementArguments = StatementArguments(existsArguments)
        let limit = page.limit
        let description = reference.description
        return try await database.read { db in
            guard try Bool.fetchOne(db, sql: exists, arguments: existsStatementArguments) == true else {
                throw DryadError.notFound("tool \(description) not found")
            }
            return try Self.page(db, sql: sql, arguments: statementArguments, limit: limit)
        }
    }

    /// Counts by status and duration percentiles per tool version, computed in SQL.
    ///
    /// Percentiles (nearest rank) and the success rate cover runs that reached the executor:
    /// succeeded, failed and timed out; rejected and denied attempts are only counted.
    public func stats(_ reference: ToolReference?, since: Date? = nil, as principal: Principal) async throws(DryadError) -> [ToolStats] {
        try AccessPolicy.authorize(principal, "read", resource: reference.map { "tool:\($0)" } ?? "tools")
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        switch reference {
        case nil: break
        case .version(let name, let version)?:
            conditions.append("tool_name = ? AND tool_version = ?")
            arguments += [name, version.description]
        case .nameOrID(let text)?:
            conditions.append("(tool_name = ? OR tool_id = ?)")
            arguments += [text, text]
        }
        if let since {
            conditions.append("started_at >= ?")
            arguments.append(Timestamp.format(since))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            WITH runs AS (
                SELECT tool_name, tool_version, status, duration_ms, started_at FROM tool_execution \(filter)
            ),
            ranked AS (
                SELECT tool_name, tool_version, duration_ms,
                       row_number() OVER (PARTITION BY tool_name, tool_version ORDER BY duration_ms) AS rank,
                       count(*) OVER (PARTITION BY tool_name, tool_version) AS n
                FROM runs WHERE status IN ('succeeded', 'failed', 'timed_out')
            ),
            percentiles AS (
                SELECT tool_name, tool_version,
                       max(CASE WHEN rank = (n + 1) / 2 THEN duration_ms END) AS p50,
                       max(CASE WHEN rank = (95 * n + 99) / 100 THEN duration_ms END) AS p95,
                       max(duration_ms) AS max_ms
                FROM ranked GROUP BY tool_name, tool_version
            ),
            counts AS (
                SELECT tool_name, tool_version,
                       sum(status = 'succeeded') AS succeeded, sum(status = 'failed') AS failed,
                       sum(status = 'timed_out') AS timed_out, sum(status = 'rejected') AS rejected,
                       sum(status = 'denied') AS denied, max(started_at) AS last_run_at
                FROM runs GROUP BY tool_name, tool_version
            )
            SELECT c.*, p.p50, p.p95, p.max_ms
            FROM counts c LEFT JOIN percentiles p USING (tool_name, tool_version)
            """
        let statementArguments = StatementArguments(arguments)
        let rows: [ToolStats] = try await database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map { row in
                let succeeded: Int = row["succeeded"], failed: Int = row["failed"], timedOut: Int = row["timed_out"]
                let ran = succeeded + failed + timedOut
                return ToolStats(
                    name: row["tool_name"], version: row["tool_version"], succeeded: succeeded, failed: failed,
                    timedOut: timedOut, rejected: row["rejected"], denied: row["denied"],
                    successRate: ran == 0 ? nil : Double(succeeded) / Double(ran),
                    p50Ms: row["p50"], p95Ms: row["p95"], maxMs: row["max_ms"], lastRunAt: row["last_run_at"])
            }
        }
        if rows.isEmpty, let reference {
            // No runs yet is an empty answer for a known tool, not found for an unknown one.
            _ = try await database.tools.get(reference, as: principal)
        }
        return rows.sorted { a, b in
            if a.name != b.name { return a.name < b.name }
            switch (SemanticVersion(a.version), SemanticVersion(b.version)) {
            case let (x?, y?): return x > y
            default: return a.version < b.version
            }
        }
    }

    // MARK: - Shared with sessions

    static func addFilters(_ query: ExecutionQuery, to conditions: inout [String], _ arguments: inout [(any DatabaseValueConvertible)?]) {
        if let status = query.status {
            conditions.append("status = ?")
            arguments.append(status.rawValue)
        }
        if let session = query.sessionID {
            conditions.append("session_id = ?")
            arguments.append(session)
        }
        if let since = query.since {
            conditions.append("started_at >= ?")
            arguments.append(Timestamp.format(since))
        }
    }

    static func page(_ db: Database, sql: String, arguments: StatementArguments, limit: Int) throws -> Page<ExecutionRecord> {
        let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
        let items = try rows.prefix(limit).map(decode)
        var next: String?
        if rows.count > limit, let last = items.last {
            next = Cursor.encode([last.startedAt, last.id])
        }
        return Page(items: items, nextCursor: next)
    }

    // MARK: - Writing

    static func insert(_ record: ExecutionRecord, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO tool_execution (id, tool_id, tool_name, tool_version, session_id, principal, input, output,
                    status, error, exit_code, http_status, duration_ms, started_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.id, record.toolID, record.toolName, record.toolVersion, record.sessionID, record.principal,
                record.input.canonicalText, record.output?.canonicalText, record.status.rawValue, record.error,
                record.exitCode, record.httpStatus, record.durationMs, record.startedAt, record.finishedAt,
            ])
    }

    static func decode(_ row: Row) throws -> ExecutionRecord {
        func json(_ column: String) throws -> JSONValue? {
            guard let text: String = row[column] else { return nil }
            do {
                return try JSONValue.parse(text, maxDepth: 1000)
            } catch {
                throw DryadError.storage("stored \(column) is not valid JSON")
            }
        }
        guard let status = ExecutionStatus(rawValue: row["status"]) else {
            throw DryadError.storage("stored execution status is not valid")
        }
        return ExecutionRecord(
            id: row["id"], toolID: row["tool_id"], toolName: row["tool_name"], toolVersion: row["tool_version"],
            sessionID: row["session_id"], principal: row["principal"], input: try json("input") ?? .null,
            output: try json("output"), status: status, error: row["error"], exitCode: row["exit_code"],
            httpStatus: row["http_status"], durationMs: row["duration_ms"], startedAt: row["started_at"],
            finishedAt: row["finished_at"])
    }
}

extension DryadDatabase {
    /// Execution history, single records and statistics.
    public var executions: ExecutionLog { ExecutionLog(database: self) }
}
