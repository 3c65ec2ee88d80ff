import Foundation
import GRDB

/// Reads and writes execution records: history, single records and usage statistics.
public struct ExecutionLog: Sendable {
    let database: DryadDatabase

    // MARK: - Reading

    /// One execution record by id.
    public func show(_ id: String, as principal: Principal) async throws(DryadError) -> ExecutionRecord {
        let now = database.now()
        return try await database.audited(principal, .executionsShow, "execution:\(id)") { db, note in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM tool_execution WHERE id = ?", arguments: [id]) else {
                throw DryadError.notFound("execution \(id) not found")
            }
            let record = try Self.decode(row)
            let hidden = DryadError.notFound("execution \(id) not found")
            let access = try Self.requireReadable(.nameOrID(record.toolName), principal, hidden: hidden, in: db)
            // A run of an earlier tool that had this name is not the current tool's.
            if let toolID = access.toolID, toolID != record.toolID { throw Denial(error: hidden, reason: "deleted tools are for admins") }
            try Self.requireContextReadable(record, principal, now: now, hidden: hidden, in: db)
            note.reason = access.reason
            return record
        }
    }

    /// A tool's executions, newest first. Works by name after the tool is deleted.
    public func history(
        _ reference: ToolReference, _ query: ExecutionQuery = ExecutionQuery(), page: PageRequest = PageRequest(),
        as principal: Principal
    ) async throws(DryadError) -> Page<ExecutionRecord> {
        // `since` stays out of the scope: given as a duration it is another instant on every call.
        let scope = CursorScope("tools.history", [reference.description, query.status?.rawValue, query.sessionID, query.contextID, query.principal])
        let page = try page.validated(for: scope)
        let order = KeysetOrder.newestFirst("started_at", then: "id")
        let continuation = try order.continuation(after: page.cursor)
        let limit = page.limit
        let now = database.now()
        return try await database.audited(principal, .toolsHistory, "tool:\(reference)") { db, note in
            guard let key = try Self.historyKey(reference, in: db) else {
                throw DryadError.notFound("tool \(reference) not found")
            }
            let access = try Self.requireReadable(reference, principal, hidden: .notFound("tool \(reference) not found"), in: db)
            note.reason = access.reason
            var conditions = [key.condition]
            var arguments = key.arguments
            if let toolID = access.toolID {
                conditions.append("tool_id = ?")
                arguments.append(toolID)
            }
            Self.addFilters(query, to: &conditions, &arguments)
            if let readable = Self.contextCondition(principal, now: now) {
                conditions.append(readable.sql)
                arguments += readable.arguments
            }
            if let continuation {
                conditions.append(continuation.sql)
                arguments += continuation.arguments
            }
            arguments.append(limit + 1)
            let sql = "SELECT * FROM tool_execution WHERE \(conditions.joined(separator: " AND ")) \(order.orderBy) LIMIT ?"
            return try Self.page(db, sql: sql, arguments: StatementArguments(arguments), limit: limit).scoped(scope)
        }
    }

    /// Runs of every tool, newest first, filtered: for a non-admin, the runs of the tools it may
    /// read now (as `history` shows them), whoever made them.
    public func list(_ query: ExecutionQuery = ExecutionQuery(), page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError)
        -> Page<ExecutionRecord>
    {
        // `since` stays out of the scope: given as a duration it is another instant on every call.
        let scope = CursorScope("executions.list", [query.status?.rawValue, query.sessionID, query.contextID, query.principal])
        let page = try page.validated(for: scope)
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        Self.addFilters(query, to: &conditions, &arguments)
        let readable = Self.visibleRunsCondition(principal, now: database.now())
        if let readable {
            conditions.append(readable.sql)
            arguments += readable.arguments
        }
        let order = KeysetOrder.newestFirst("started_at", then: "id")
        try order.continuing(after: page.cursor, to: &conditions, &arguments)
        arguments.append(page.limit + 1)
        let sql = "SELECT * FROM tool_execution \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) \(order.orderBy) LIMIT ?"
        let statementArguments = StatementArguments(arguments)
        let limit = page.limit
        let scoped = readable != nil
        return try await database.audited(principal, .executionsList, "executions") { db, note in
            if scoped { note.reason = "runs of readable tools only" }
            return try Self.page(db, sql: sql, arguments: statementArguments, limit: limit).scoped(scope)
        }
    }

    /// Counts by status and duration percentiles per tool version.
    ///
    /// Percentiles (nearest rank) and the success rate cover runs that reached the executor:
    /// succeeded, failed and timed out; rejected and denied attempts are only counted. Each
    /// figure is read from an index (counts by status, durations in order), so a million
    /// records answer in well under a second.
    public func stats(_ reference: ToolReference?, since: Date? = nil, as principal: Principal) async throws(DryadError) -> [ToolStats] {
        let sinceText = since.map(Timestamp.format) ?? ""
        let stats: [ToolStats] = try await database.audited(principal, .toolsStats, reference.map { "tool:\($0)" } ?? "tools") { db, note in
            var conditions = ["started_at >= ?"]
            var arguments: [(any DatabaseValueConvertible)?] = [sinceText]
            // What a non-admin may count: runs of the tools they can read now, not of earlier
            // tools that had the same name (applied to the percentiles too).
            var scope = ""
            var scopeArguments: [(any DatabaseValueConvertible)?] = []
            if let reference {
                guard let key = try Self.historyKey(reference, in: db) else {
                    throw DryadError.notFound("tool \(reference) not found")
                }
                let access = try Self.requireReadable(reference, principal, hidden: .notFound("tool \(reference) not found"), in: db)
                note.reason = access.reason
                conditions.append(key.condition)
                arguments += key.arguments
                if let toolID = access.toolID {
                    // `+` keeps SQLite on the stats indexes (which hold tool_id) instead of
                    // the history index by tool id, which would read every row of the tool.
                    scope = " AND +tool_id = ?"
                    scopeArguments = [toolID]
                }
            } else if let readable = PermissionStore.visibleToolsCondition(AccessRules.visibleTools(principal)) {
                note.reason = "readable tools only"
                scope = " AND +tool_id IN (SELECT t.id FROM tool_registry t WHERE \(readable.sql))"
                scopeArguments = readable.arguments
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT tool_name, tool_version, status, count(*) AS n, max(started_at) AS last_run_at
                    FROM tool_execution WHERE \(conditions.joined(separator: " AND "))\(scope)
                    GROUP BY tool_name, tool_version, status
                    """,
                arguments: StatementArguments(arguments + scopeArguments))
            var byVersion: [String: ToolStats] = [:]
            for row in rows {
                let name: String = row["tool_name"], version: String = row["tool_version"]
                let key = name + "@" + version
                var entry =
                    byVersion[key]
                    ?? ToolStats(
                        name: name, version: version, succeeded: 0, failed: 0, timedOut: 0, cancelled: 0, rejected: 0, denied: 0,
                        successRate: nil, p50Ms: nil, p95Ms: nil, maxMs: nil, lastRunAt: nil)
                let count: Int = row["n"]
                switch ExecutionStatus(rawValue: row["status"]) {
                case .succeeded?: entry.succeeded = count
                case .failed?: entry.failed = count
                case .timedOut?: entry.timedOut = count
                case .cancelled?: entry.cancelled = count
                case .rejected?: entry.rejected = count
                case .denied?: entry.denied = count
                case nil: break
                }
                let last: String? = row["last_run_at"]
                if let last, last > (entry.lastRunAt ?? "") { entry.lastRunAt = last }
                byVersion[key] = entry
            }
            return try byVersion.values.map { entry in
                var entry = entry
                let ran = entry.succeeded + entry.failed + entry.timedOut
                guard ran > 0 else { return entry }
                entry.successRate = Double(entry.succeeded) / Double(ran)
                func duration(rank: Int) throws -> Int? {
                    // The status list matches the partial index's condition, so this walks that index.
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT duration_ms FROM tool_execution
                            WHERE tool_name = ? AND tool_version = ? AND status IN ('succeeded', 'failed', 'timed_out')
                              AND started_at >= ?\(scope)
                            ORDER BY duration_ms LIMIT 1 OFFSET ?
                            """,
                        arguments: StatementArguments([entry.name, entry.version, sinceText] + scopeArguments + [rank - 1]))
                }
                entry.p50Ms = try duration(rank: (ran + 1) / 2)
                entry.p95Ms = try duration(rank: (95 * ran + 99) / 100)
                entry.maxMs = try duration(rank: ran)
                return entry
            }
        }
        return stats.sorted { a, b in
            if a.name != b.name { return a.name < b.name }
            switch (SemanticVersion(a.version), SemanticVersion(b.version)) {
            case let (x?, y?): return x > y
            default: return a.version < b.version
            }
        }
    }

    /// One tool's runs in buckets of `bucket` seconds from `since` (default 24 hours ago) to
    /// `until` (default now), at most `StatsSeries.maxBuckets` per answer (`next` says where
    /// the rest starts). Who may see it is decided as for `stats`.
    public func series(
        _ reference: ToolReference, bucket: Int, since: Date? = nil, until: Date? = nil, as principal: Principal
    ) async throws(DryadError) -> StatsSeries {
        guard (StatsSeries.minBucketSeconds...StatsSeries.maxBucketSeconds).contains(bucket) else {
            throw .invalidInput("bucket: must be from 1m to 30d")
        }
        let now = database.clock()
        let end = until ?? now
        let start = since ?? end.addingTimeInterval(-86_400)
        guard start < end else { throw .invalidInput("since: must be before until") }
        // Buckets are aligned to the epoch; a page holds at most `maxBuckets` of them.
        let first = Int64((start.timeIntervalSince1970 / Double(bucket)).rounded(.down)) * Int64(bucket)
        let wanted = Int64((end.timeIntervalSince1970 - Double(first)) / Double(bucket)) + 1
        let count = Int(min(wanted, Int64(StatsSeries.maxBuckets)))
        let last = first + Int64(count) * Int64(bucket)
        let pageStart = Timestamp.format(Date(timeIntervalSince1970: TimeInterval(first)))
        let pageEnd = Timestamp.format(Date(timeIntervalSince1970: TimeInterval(last)))
        let (counts, durations) = try await database.audited(principal, .toolsStats, "tool:\(reference)") { db, note in
            guard let key = try Self.historyKey(reference, in: db) else { throw DryadError.notFound("tool \(reference) not found") }
            let access = try Self.requireReadable(reference, principal, hidden: .notFound("tool \(reference) not found"), in: db)
            note.reason = access.reason
            // Numbered parameters: the bucket expression appears more than once in a statement.
            let scope = access.toolID.map { _ in " AND +tool_id = ?" } ?? ""
            let arguments = StatementArguments(
                [first, bucket] + key.arguments + [pageStart, pageEnd] + (access.toolID.map { [$0] as [(any DatabaseValueConvertible)?] } ?? []))
            let bucketOf = "(CAST(strftime('%s', started_at) AS INTEGER) - ?1) / ?2"
            let range = Self.numbered("\(key.condition) AND started_at >= ? AND started_at < ?\(scope)", from: 3)
            let counts = try Row.fetchAll(
                db, sql: "SELECT \(bucketOf) AS bucket, status, count(*) AS n FROM tool_execution WHERE \(range) GROUP BY bucket, status",
                arguments: arguments
            ).map { (bucket: $0["bucket"] as Int, status: $0["status"] as String, count: $0["n"] as Int) }
            // Each bucket's rank-based percentiles, as `stats` takes them, from one ordered pass.
            let durations = try Row.fetchAll(
                db,
                sql: """
                    SELECT bucket,
                        max(CASE WHEN rank = (n + 1) / 2 THEN duration_ms END) AS p50,
                        max(CASE WHEN rank = (95 * n + 99) / 100 THEN duration_ms END) AS p95
                    FROM (
                        SELECT \(bucketOf) AS bucket, duration_ms,
                            row_number() OVER (PARTITION BY \(bucketOf) ORDER BY duration_ms) AS rank,
                            count(*) OVER (PARTITION BY \(bucketOf)) AS n
                        FROM tool_execution WHERE \(range) AND status IN ('succeeded', 'failed', 'timed_out'))
                    GROUP BY bucket
                    """,
                arguments: arguments
            ).map { (bucket: $0["bucket"] as Int, p50: $0["p50"] as Int?, p95: $0["p95"] as Int?) }
            return (counts, durations)
        }
        var buckets = (0..<count).map { index in
            StatsBucket(start: Timestamp.format(Date(timeIntervalSince1970: TimeInterval(first + Int64(index) * Int64(bucket)))))
        }
        for row in counts where buckets.indices.contains(row.bucket) {
            switch ExecutionStatus(rawValue: row.status) {
            case .succeeded?: buckets[row.bucket].succeeded = row.count
            case .failed?: buckets[row.bucket].failed = row.count
            case .timedOut?: buckets[row.bucket].timedOut = row.count
            case .cancelled?: buckets[row.bucket].cancelled = row.count
            case .rejected?: buckets[row.bucket].rejected = row.count
            case .denied?: buckets[row.bucket].denied = row.count
            case nil: break
            }
        }
        for row in durations where buckets.indices.contains(row.bucket) {
            buckets[row.bucket].p50Ms = row.p50
            buckets[row.bucket].p95Ms = row.p95
        }
        return StatsSeries(
            tool: reference.description, bucketSeconds: bucket, since: pageStart, until: pageEnd, buckets: buckets,
            next: wanted > Int64(count) ? pageEnd : nil)
    }

    /// `sql` with each `?` numbered in order from `first` (`?3`, `?4`, …).
    static func numbered(_ sql: String, from first: Int) -> String {
        var next = first
        return sql.split(separator: "?", omittingEmptySubsequences: false).enumerated().map { index, part in
            guard index > 0 else { return String(part) }
            defer { next += 1 }
            return "?\(next)" + part
        }.joined()
    }

    /// Requires read on the tool a history belongs to; a deleted tool's history is for admins only.
    ///
    /// Returns why access was allowed and, for non-admins, the id of the tool they may read:
    /// history is kept by name, and runs of a deleted tool whose name was registered again
    /// must not reach the new tool's readers.
    static func requireReadable(
        _ reference: ToolReference, _ principal: Principal, hidden: DryadError, in db: Database
    ) throws -> (reason: String, toolID: String?) {
        if principal.isAdmin { return ("role admin", nil) }
        guard let tool = try ToolRegistry.resolveOptional(reference, in: db) else {
            throw Denial(error: hidden, reason: "deleted tools are for admins")
        }
        do {
            return (try AccessCheck.requireTool(.read, tool, asked: reference, principal, in: db), tool.id)
        } catch var denial as Denial {
            denial.error = hidden
            throw denial
        }
    }

    /// Runs in a context are for those who may read its resolved data: a run's input may have
    /// come from the context and its ancestors, and its output may have gone into it. Admins
    /// and the run's own principal see it; anyone else needs read access to the context and
    /// every ancestor now (a deleted or expired context's runs are then its principal's and
    /// admins').
    /// `table` names `tool_execution` as the query does (`e` under an alias).
    static func contextCondition(_ principal: Principal, now: String, table: String = "tool_execution") -> (
        sql: String, arguments: [(any DatabaseValueConvertible)?]
    )? {
        guard let line = MemoryStore.readableLineCondition(principal, column: "\(table).context_id", now: now) else { return nil }
        return ("(\(table).context_id IS NULL OR \(table).principal = ? OR \(line.sql))", [principal.name] + line.arguments)
    }

    /// The runs `principal` may see among every tool's: of tools it may read now, and in a
    /// context only as `contextCondition` allows; nil for an admin. `table` names
    /// `tool_execution` as the query does. Listings, a context's runs and its trace, and the
    /// errors runs log all use this one rule.
    static func visibleRunsCondition(_ principal: Principal, now: String, table: String = "tool_execution") -> (
        sql: String, arguments: [(any DatabaseValueConvertible)?]
    )? {
        let parts = [
            PermissionStore.visibleToolsCondition(AccessRules.visibleTools(principal), column: "\(table).tool_id"),
            contextCondition(principal, now: now, table: table),
        ].compactMap { $0 }
        guard !parts.isEmpty else { return nil }
        return (parts.map(\.sql).joined(separator: " AND "), parts.flatMap(\.arguments))
    }

    /// `contextCondition` for one record: hidden as `hidden` when its context is not the caller's to read.
    static func requireContextReadable(_ record: ExecutionRecord, _ principal: Principal, now: String, hidden: DryadError, in db: Database) throws {
        guard let condition = contextCondition(principal, now: now) else { return }
        let visible =
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM tool_execution WHERE id = ? AND \(condition.sql))",
                arguments: StatementArguments([record.id] + condition.arguments)) ?? false
        guard visible else { throw Denial(error: hidden, reason: "run in a context the caller may not read") }
    }

    /// The one indexed condition that selects a reference's executions: by name (a name wins,
    /// and names outlive deleted tools), else by tool id; nil when neither is known.
    static func historyKey(_ reference: ToolReference, in db: Database) throws -> (condition: String, arguments: [(any DatabaseValueConvertible)?])? {
        switch reference {
        case .version(let name, let version):
            // Exact version string first; else the stored version with the same precedence.
            let stored =
                try String.fetchOne(
                    db, sql: "SELECT v.version FROM tool_version v JOIN tool_registry t ON t.id = v.tool_id WHERE t.name = ? AND v.version_key = ?",
                    arguments: [name, version.precedenceKey]) ?? version.description
            let known =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM tool_registry WHERE name = ?1) OR EXISTS (SELECT 1 FROM tool_execution WHERE tool_name = ?1)",
                    arguments: [name]) ?? false
            return known ? ("tool_name = ? AND tool_version = ?", [name, stored]) : nil
        case .nameOrID(let text):
            let byName =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM tool_registry WHERE name = ?1) OR EXISTS (SELECT 1 FROM tool_execution WHERE tool_name = ?1)",
                    arguments: [text]) ?? false
            if byName { return ("tool_name = ?", [text]) }
            let byID =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM tool_registry WHERE id = ?1) OR EXISTS (SELECT 1 FROM tool_execution WHERE tool_id = ?1)",
                    arguments: [text]) ?? false
            return byID ? ("tool_id = ?", [text]) : nil
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
        if let context = query.contextID {
            conditions.append("context_id = ?")
            arguments.append(context)
        }
        if let name = query.principal {
            conditions.append("principal = ?")
            arguments.append(name)
        }
        if let since = query.since {
            conditions.append("started_at >= ?")
            arguments.append(Timestamp.format(since))
        }
    }

    /// A page of records, read row by row: at most `limit` of them and `PageRequest.maxBytes`
    /// of their stored inputs and outputs (a record may carry 2 MiB).
    static func page(_ db: Database, sql: String, arguments: StatementArguments, limit: Int) throws -> Page<ExecutionRecord> {
        try Page.collect(
            try Row.fetchCursor(db, sql: sql, arguments: arguments), limit: limit, bytes: { Page<ExecutionRecord>.textBytes($0, "input", "output") },
            key: { [$0.startedAt, $0.id] }, decode)
    }

    // MARK: - Writing

    static func insert(_ record: ExecutionRecord, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO tool_execution (id, tool_id, tool_name, tool_version, session_id, context_id, principal, input, output,
                    status, error, exit_code, http_status, duration_ms, started_at, finished_at, stored_output, via, mcp_session)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            record.id, record.toolID, record.toolName, record.toolVersion, record.sessionID, record.contextID, record.principal,
            record.input.canonicalText, record.output?.canonicalText, record.status.rawValue, record.error,
            record.exitCode, record.httpStatus, record.durationMs, record.startedAt, record.finishedAt, record.storedOutput?.json.canonicalText,
            record.via, record.mcpSession,
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
            sessionID: row["session_id"], contextID: row["context_id"], principal: row["principal"], input: try json("input") ?? .null,
            output: try json("output"), status: status, error: row["error"], exitCode: row["exit_code"],
            httpStatus: row["http_status"], durationMs: row["duration_ms"], startedAt: row["started_at"],
            finishedAt: row["finished_at"], storedOutput: try json("stored_output").flatMap(StoredOutput.init(json:)), via: row["via"],
            mcpSession: row["mcp_session"])
    }
}

extension DryadDatabase {
    /// Execution history, single records and statistics.
    public var executions: ExecutionLog { ExecutionLog(database: self) }
}
