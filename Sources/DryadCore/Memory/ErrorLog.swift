import Foundation
import GRDB

/// Error logs, optionally tied to memory contexts.
public struct ErrorLog: Sendable {
    static let maxMessageBytes = 64 * 1024
    /// 64 KiB: a trace longer than that is a log, not a trace, and every logged error is kept
    /// until it is resolved and pruned.
    static let maxStackTraceBytes = 64 * 1024

    let database: DryadDatabase

    /// Logs an error; a given context must exist.
    public func log(
        type: String, message: String, stackTrace: String? = nil, contextID: String? = nil,
        as principal: Principal
    ) async throws(DryadError) -> ErrorRecord {
        guard (1...255).contains(type.utf8.count) else { throw .invalidInput("type: must be 1-255 bytes") }
        guard !message.isEmpty, message.utf8.count <= Self.maxMessageBytes else {
            throw .invalidInput("message: must be 1-\(Self.maxMessageBytes) bytes")
        }
        if let stackTrace, stackTrace.utf8.count > Self.maxStackTraceBytes {
            throw .invalidInput("stack trace: larger than \(Self.maxStackTraceBytes / 1024) KiB")
        }
        try StoredText.check(type, field: "type")
        try StoredText.check(message, field: "message")
        if let stackTrace { try StoredText.check(stackTrace, field: "stack trace") }
        let id = UUID().uuidString.lowercased()
        let now = database.now()
        return try await database.audited(principal, .errorsLog, "error:\(id)") { db, note in
            if let contextID {
                // Tying an error to a context needs read access to it.
                note.reason = try AccessCheck.requireContext(.read, try MemoryStore.fetch(contextID, now: now, in: db), principal, in: db)
            }
            try Self.insert(
                ErrorDraft(id: id, type: type, message: message, stackTrace: stackTrace, contextID: contextID, principal: principal.name), at: now, in: db)
            try StorageQuota.errorLogs.require(principal.name, in: db)
            return try Self.fetch(id, in: db)
        }
    }

    /// What one error log says when written; `log` checks a caller's, a run writes its own.
    struct ErrorDraft: Sendable {
        var id = UUID().uuidString.lowercased()
        var type: String
        var message: String
        var stackTrace: String?
        var contextID: String?
        /// The run that failed, for errors a run in a context logs.
        var executionID: String? = nil
        var principal: String
    }

    /// Writes one error log; every error log is written here.
    static func insert(_ draft: ErrorDraft, at now: String, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO error_log (id, error_type, error_message, stack_trace, context_id, execution_id, principal, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [draft.id, draft.type, draft.message, draft.stackTrace, draft.contextID, draft.executionID, draft.principal, now])
    }

    /// Error logs newest first.
    public func list(_ query: ErrorQuery, page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError) -> Page<ErrorRecord> {
        // `since` stays out of the scope: given as a duration it is another instant on every call.
        let scope = CursorScope("errors.list", [query.contextID, query.errorType, String(query.unresolvedOnly)])
        let page = try page.validated(for: scope)
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let visible = Self.visibleCondition(principal, now: database.now()) {
            conditions.append(visible.sql)
            arguments += visible.arguments
        }
        if let context = query.contextID {
            conditions.append("context_id = ?")
            arguments.append(context)
        }
        if let type = query.errorType {
            conditions.append("error_type = ?")
            arguments.append(type)
        }
        if query.unresolvedOnly { conditions.append("fix_applied = 0") }
        if let since = query.since {
            conditions.append("created_at >= ?")
            arguments.append(Timestamp.format(since))
        }
        let order = KeysetOrder.newestFirst("created_at", then: "id")
        try order.continuing(after: page.cursor, to: &conditions, &arguments)
        arguments.append(page.limit + 1)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM error_log \(whereClause) \(order.orderBy) LIMIT ?"
        let statementArguments = StatementArguments(arguments)
        let limit = page.limit
        return try await database.audited(principal, .errorsList, "errors") { db, note in
            if !principal.isAdmin { note.reason = "own errors and errors on writable contexts" }
            // Read row by row and capped in bytes too: a record may carry 64 KiB of message and
            // 64 KiB of stack trace.
            return try Page.collect(
                try Row.fetchCursor(db, sql: sql, arguments: statementArguments), limit: limit,
                bytes: { Page<ErrorRecord>.textBytes($0, "error_message", "stack_trace", "resolution_note") }, key: { [$0.createdAt, $0.id] }, Self.decode
            ).scoped(scope)
        }
    }

    /// Marks an error resolved (`fix_applied`), with an optional note; resolving twice is a conflict.
    public func resolve(_ id: String, note: String?, as principal: Principal) async throws(DryadError) -> ErrorRecord {
        if let note, note.utf8.count > Self.maxMessageBytes { throw .invalidInput("note: larger than \(Self.maxMessageBytes) bytes") }
        if let note { try StoredText.check(note, field: "note") }
        let now = database.now()
        return try await database.audited(principal, .errorsResolve, "error:\(id)") { db, audit in
            let record = try Self.fetch(id, in: db)
            audit.reason = try Self.requireAccess(record, principal, now: now, in: db)
            guard !record.fixApplied else { throw DryadError.conflict("error \(id) is already resolved") }
            try db.execute(
                sql: "UPDATE error_log SET fix_applied = 1, resolution_note = ?, resolved_at = ?, resolved_by = ? WHERE id = ?",
                arguments: [note, now, principal.name, id])
            return try Self.fetch(id, in: db)
        }
    }

    /// One error log.
    public func show(_ id: String, as principal: Principal) async throws(DryadError) -> ErrorRecord {
        let now = database.now()
        return try await database.audited(principal, .errorsShow, "error:\(id)") { db, audit in
            let record = try Self.fetch(id, in: db)
            audit.reason = try Self.requireAccess(record, principal, now: now, in: db)
            return record
        }
    }

    /// Who may see and resolve error logs, as a condition on `error_log` (unqualified
    /// columns); nil for an admin. A principal sees its own errors, and those on contexts it
    /// may write (their owner, a write sharee: the errors are theirs to fix) — except errors a
    /// run logged that the principal may not see the run of (`ExecutionLog.visibleRunsCondition`:
    /// its tool and context): they carry the tool's name, its stderr and what the run read.
    static func visibleCondition(_ principal: Principal, now: String) -> (sql: String, arguments: [(any DatabaseValueConvertible)?])? {
        guard !principal.isAdmin, let writable = MemoryStore.visibleContextsCondition(AccessRules.visibleContexts(principal), writableOnly: true) else {
            return nil
        }
        let run = ExecutionLog.visibleRunsCondition(principal, now: now, table: "e")
        let seen = run.map { " AND (execution_id IS NULL OR EXISTS (SELECT 1 FROM tool_execution e WHERE e.id = error_log.execution_id AND \($0.sql)))" } ?? ""
        return (
            "(principal = ? OR (context_id IN (SELECT c.id FROM memory_context c WHERE \(writable.sql))\(seen)))",
            [principal.name] + writable.arguments + (run?.arguments ?? [])
        )
    }

    /// `visibleCondition` for one error log, with the rule that let the caller see it; anyone
    /// else is told it does not exist.
    static func requireAccess(_ record: ErrorRecord, _ principal: Principal, now: String, in db: Database) throws -> String {
        if principal.isAdmin { return "role admin" }
        if record.principal == principal.name { return "own error" }
        // Expired or not, as `list` finds them: the context's owner and shares decide.
        if let contextID = record.contextID, let visible = visibleCondition(principal, now: now),
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM error_log WHERE id = ? AND \(visible.sql))",
                arguments: StatementArguments([record.id] + visible.arguments)) == true
        {
            return "writer of context \(contextID)"
        }
        throw Denial(error: .notFound("error \(record.id) not found"), reason: "not the error's principal nor a writer of its context")
    }

    static func fetch(_ id: String, in db: Database) throws -> ErrorRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM error_log WHERE id = ?", arguments: [id]) else {
            throw DryadError.notFound("error \(id) not found")
        }
        return decode(row)
    }

    static func decode(_ row: Row) -> ErrorRecord {
        ErrorRecord(
            id: row["id"], errorType: row["error_type"], errorMessage: row["error_message"], stackTrace: row["stack_trace"],
            fixApplied: row["fix_applied"], resolutionNote: row["resolution_note"], contextID: row["context_id"],
            executionID: row["execution_id"], principal: row["principal"], createdAt: row["created_at"], resolvedAt: row["resolved_at"])
    }
}

extension DryadDatabase {
    /// Error logs.
    public var errors: ErrorLog { ErrorLog(database: self) }
}
