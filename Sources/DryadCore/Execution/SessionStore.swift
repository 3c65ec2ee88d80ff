import Foundation
import GRDB

/// Starts, ends and lists tool sessions, which group executions.
public struct SessionStore: Sendable {
    let database: DryadDatabase

    /// Opens a new session.
    public func start(label: String?, as principal: Principal) async throws(DryadError) -> ToolSession {
        if let label, label.utf8.count > 256 { throw .invalidInput("label: longer than 256 bytes") }
        if let label { try StoredText.check(label, field: "label") }
        let id = UUID().uuidString.lowercased()
        let now = database.now()
        return try await database.audited(principal, .sessionsStart, "session:\(id)") { db, _ in
            try db.execute(
                sql: "INSERT INTO tool_session (id, label, principal, status, created_at) VALUES (?, ?, ?, 'open', ?)",
                arguments: [id, label, principal.name, now])
            try StorageQuota.sessions.require(principal.name, in: db)
            return try Self.fetch(id, in: db)
        }
    }

    /// Ends an open session; ending it twice is a conflict.
    public func end(_ id: String, as principal: Principal) async throws(DryadError) -> ToolSession {
        let now = database.now()
        return try await database.audited(principal, .sessionsEnd, "session:\(id)") { db, note in
            let session = try Self.fetch(id, in: db)
            note.reason = try Self.requireOwner(session, principal)
            guard session.status == .open else { throw DryadError.conflict("session \(id) has already ended") }
            try db.execute(sql: "UPDATE tool_session SET status = 'ended', ended_at = ? WHERE id = ?", arguments: [now, id])
            return try Self.fetch(id, in: db)
        }
    }

    /// Sessions, newest first.
    public func list(page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError) -> Page<ToolSession> {
        let scope = CursorScope("sessions.list")
        let page = try page.validated(for: scope)
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if !principal.isAdmin {
            conditions.append("s.principal = ?")
            arguments.append(principal.name)
        }
        let order = KeysetOrder.newestFirst("s.created_at", then: "s.id")
        try order.continuing(after: page.cursor, to: &conditions, &arguments)
        let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(page.limit + 1)
        let sql = "\(Self.select) \(condition) \(order.orderBy) LIMIT ?"
        let statementArguments = StatementArguments(arguments)
        let limit = page.limit
        return try await database.audited(principal, .sessionsList, "sessions") { db, note in
            if !principal.isAdmin { note.reason = "own sessions only" }
            let sessions = try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(Self.decode)
            return Page.slice(sessions, limit: limit) { [$0.createdAt, $0.id] }.scoped(scope)
        }
    }

    /// One session and a page of its executions, oldest first: at most `page.limit` of them
    /// and `PageRequest.maxBytes` of their inputs and outputs; `executionsNextCursor` goes on.
    public func show(_ id: String, page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError) -> SessionDetail {
        let scope = CursorScope("sessions.show", [id])
        let page = try page.validated(for: scope)
        let after = try page.cursor.map { cursor throws(DryadError) in try Cursor.decode(cursor, fields: 2) }
        return try await database.audited(principal, .sessionsShow, "session:\(id)") { db, note in
            let session = try Self.fetch(id, in: db)
            note.reason = try Self.requireOwner(session, principal)
            let executions = try Page.collect(
                try Row.fetchCursor(
                    db, sql: "SELECT * FROM tool_execution WHERE session_id = ? AND (started_at, id) > (?, ?) ORDER BY started_at, id LIMIT ?",
                    arguments: [id, after?[0] ?? "", after?[1] ?? "", page.limit + 1]),
                limit: page.limit, bytes: { Page<ExecutionRecord>.textBytes($0, "input", "output") }, key: { [$0.startedAt, $0.id] },
                ExecutionLog.decode
            ).scoped(scope)
            return SessionDetail(session: session, executions: executions.items, executionsNextCursor: executions.nextCursor)
        }
    }

    /// Sessions belong to whoever started them (and to admins).
    static func requireOwner(_ session: ToolSession, _ principal: Principal) throws -> String {
        if principal.isAdmin { return "role admin" }
        guard session.principal == principal.name else {
            throw Denial(error: .notFound("session \(session.id) not found"), reason: "not the session's principal")
        }
        return "own session"
    }

    static let select = """
        SELECT s.*, (SELECT count(*) FROM tool_execution e WHERE e.session_id = s.id) AS execution_count
        FROM tool_session s
        """

    static func fetch(_ id: String, in db: Database) throws -> ToolSession {
        guard let row = try Row.fetchOne(db, sql: "\(select) WHERE s.id = ?", arguments: [id]) else {
            throw DryadError.notFound("session \(id) not found")
        }
        return decode(row)
    }

    static func decode(_ row: Row) -> ToolSession {
        ToolSession(
            id: row["id"], label: row["label"], principal: row["principal"],
            status: ToolSession.Status(rawValue: row["status"]) ?? .ended, executionCount: row["execution_count"],
            createdAt: row["created_at"], endedAt: row["ended_at"])
    }
}

extension DryadDatabase {
    /// Tool sessions.
    public var sessions: SessionStore { SessionStore(database: self) }
}
