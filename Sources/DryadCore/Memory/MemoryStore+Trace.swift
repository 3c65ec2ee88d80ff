import Foundation
import GRDB

extension MemoryStore {
    /// Actions whose allowed entries a trace leaves out: reads change nothing in the story
    /// (their denials stay, as every denial does).
    private static let quietActions = AuditAction.allCases.filter(\.isRead).map(\.rawValue)

    /// The time-ordered story of a context (with `subtree`, of it and every descendant the
    /// caller may read): versions written, runs in it, errors logged and resolved, shares
    /// granted and revoked, and access decisions about it: every one for an admin, the
    /// caller's own for anyone else. Runs the caller could not see in `history` (of a tool it
    /// cannot read, or in a context whose ancestors it cannot read) and errors it could not list
    /// are left out. Oldest first, a page at a time.
    public func trace(
        _ id: String, subtree: Bool = false, since: Date? = nil, page: PageRequest = PageRequest(), as principal: Principal
    ) async throws(DryadError) -> Page<TraceEvent> {
        // `since` stays out of the scope: given as a duration it is another instant on every call.
        let scope = CursorScope("memory.trace", [id, String(subtree)])
        let page = try page.validated(for: scope)
        let order = KeysetOrder(column: "at", descending: false, tieBreaker: "tie", tieBreakerDescending: false)
        let continuation = try order.continuation(after: page.cursor)
        let now = database.now()
        let limit = page.limit
        return try await database.audited(principal, .memoryTrace, "memory:\(id)") { db, note in
            note.reason = try AccessCheck.requireContext(.read, try Self.fetch(id, now: now, in: db), principal, in: db)
            // Every source is read from the cursor (or `since`) on and stops after a page, so a
            // page costs the same at the end of a long story as at its start.
            var bounds: [String] = []
            var boundArguments: [(any DatabaseValueConvertible)?] = []
            if let since {
                bounds.append("at >= ?")
                boundArguments.append(Timestamp.format(since))
            }
            if let continuation {
                // The first bound alone is one an index can seek to.
                bounds += ["at >= ?", continuation.sql]
                boundArguments += [continuation.arguments[0]] + continuation.arguments
            }
            let query = Self.traceQuery(id, subtree: subtree, now: now, principal, bounds: bounds, boundArguments: boundArguments, limit: limit + 1)
            let sql = "\(query.sql)\nSELECT at, tie, kind, context_id, principal, detail FROM events \(order.orderBy) LIMIT \(limit + 1)"
            let events = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(query.arguments)).map { row in
                guard let kind = TraceEvent.Kind(rawValue: row["kind"]), let detail = try JSONValue.parse(row["detail"] as String).objectValue else {
                    throw DryadError.storage("a trace event could not be read")
                }
                let event = TraceEvent(kind: kind, at: row["at"], contextID: row["context_id"], principal: row["principal"], detail: detail)
                return (event, row["tie"] as String)
            }
            let sliced = Page.slice(events, limit: limit) { [$0.0.at, $0.1] }
            return Page(items: sliced.items.map(\.0), nextCursor: sliced.nextCursor).scoped(scope)
        }
    }

    /// How many runs and open errors `get` with runs adds.
    public static let activityLimit = 10

    /// The latest runs in a context and its open errors, as `principal` may see them (runs of
    /// tools it may read; errors it may list), newest first, at most `activityLimit` of each.
    static func activity(of id: String, _ principal: Principal, now: String, in db: Database) throws -> (
        runs: [ExecutionRecord], openErrors: [ErrorRecord]
    ) {
        var conditions = ["context_id = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [id]
        if let visible = ExecutionLog.visibleRunsCondition(principal, now: now) {
            conditions.append(visible.sql)
            arguments += visible.arguments
        }
        let runs = try ExecutionLog.page(
            db, sql: "SELECT * FROM tool_execution WHERE \(conditions.joined(separator: " AND ")) ORDER BY started_at DESC, id DESC LIMIT ?",
            arguments: StatementArguments(arguments + [activityLimit + 1]), limit: activityLimit)
        var errorConditions = ["context_id = ?", "fix_applied = 0"]
        var errorArguments: [(any DatabaseValueConvertible)?] = [id]
        if let visible = ErrorLog.visibleCondition(principal, now: now) {
            errorConditions.append(visible.sql)
            errorArguments += visible.arguments
        }
        let errors = try Row.fetchAll(
            db, sql: "SELECT * FROM error_log WHERE \(errorConditions.joined(separator: " AND ")) ORDER BY created_at DESC, id DESC LIMIT ?",
            arguments: StatementArguments(errorArguments + [activityLimit])
        ).map(ErrorLog.decode)
        return (runs.items, errors)
    }

    /// The trace's `WITH … events AS (…)` and its arguments: one branch per source, each on an
    /// index by context, each row with its time, a unique tie-breaker (the kind's rank first,
    /// so one instant reads run, version, share, error, decision) and the kind's fields.
    private static func traceQuery(
        _ id: String, subtree: Bool, now: String, _ principal: Principal, bounds: [String], boundArguments: [(any DatabaseValueConvertible)?], limit: Int
    ) -> (sql: String, arguments: [(any DatabaseValueConvertible)?]) {
        var arguments: [(any DatabaseValueConvertible)?] = [id]
        // Descendants are each checked: a write sharee's child is its own, not the parent owner's.
        var readable = ""
        if subtree, let visible = visibleContextsCondition(AccessRules.visibleContexts(principal)) {
            readable = " AND " + visible.sql
            arguments += visible.arguments
        }
        arguments.append(now)
        func rank(_ kind: TraceEvent.Kind) -> String { String(TraceEvent.Kind.allCases.firstIndex(of: kind) ?? 0) }
        // The runs `history` would show the caller: of tools it may read, in contexts whose whole
        // line it may read (the trace's context may have ancestors the caller cannot read).
        var runs = "e.context_id IN scope"
        var runArguments: [(any DatabaseValueConvertible)?] = []
        if let visible = ExecutionLog.visibleRunsCondition(principal, now: now, table: "e") {
            runs += " AND " + visible.sql
            runArguments = visible.arguments
        }
        var errors = "context_id IN scope"
        var errorArguments: [(any DatabaseValueConvertible)?] = []
        if let visible = ErrorLog.visibleCondition(principal, now: now) {
            errors += " AND " + visible.sql
            errorArguments = visible.arguments
        }
        let quiet = quietActions.map { "'\($0)'" }.joined(separator: ", ")
        var decisions = "a.resource IN (SELECT 'memory:' || id FROM scope) AND (a.decision = 'deny' OR a.action NOT IN (\(quiet)))"
        var decisionArguments: [(any DatabaseValueConvertible)?] = []
        if !principal.isAdmin {
            decisions += " AND a.principal = ?"
            decisionArguments = [principal.name]
        }
        let versions = """
            SELECT v.created_at AS at, '\(rank(.version))' || v.context_id || printf('%010d', v.version) AS tie, 'version' AS kind,
                v.context_id AS context_id, v.principal AS principal,
                json_object('version', v.version, 'merged', json(CASE v.merged WHEN 1 THEN 'true' ELSE 'false' END),
                    'changed_leaves', v.changed_leaves, 'execution_id', v.execution_id) AS detail
            FROM memory_version v WHERE v.context_id IN scope
            """
        let runsBranch = """
            SELECT e.started_at AS at, '\(rank(.run))' || e.id AS tie, 'run' AS kind, e.context_id AS context_id, e.principal AS principal,
                json_object('execution_id', e.id, 'tool', e.tool_name, 'tool_version', e.tool_version, 'status', e.status,
                    'duration_ms', e.duration_ms, 'error', substr(e.error, 1, 500), 'stored_version', json_extract(e.stored_output, '$.version'),
                    'not_stored', substr(json_extract(e.stored_output, '$.reason'), 1, 500)) AS detail
            FROM tool_execution e WHERE \(runs)
            """
        let errorsBranch = """
            SELECT created_at AS at, '\(rank(.error))' || id AS tie, 'error' AS kind, context_id, principal,
                json_object('error_id', id, 'error_type', error_type, 'message', substr(error_message, 1, 500), 'execution_id', execution_id) AS detail
            FROM error_log WHERE \(errors)
            """
        let resolvedBranch = """
            SELECT resolved_at AS at, '\(rank(.errorResolved))' || id AS tie, 'error_resolved' AS kind, context_id, resolved_by AS principal,
                json_object('error_id', id, 'error_type', error_type, 'message', substr(coalesce(resolution_note, ''), 1, 500),
                    'execution_id', execution_id) AS detail
            FROM error_log WHERE fix_applied = 1 AND \(errors)
            """
        let sharesBranch = """
            SELECT s.created_at AS at, '\(rank(.share))' || printf('%020d', s.seq) AS tie,
                CASE WHEN s.access IS NULL THEN 'unshare' ELSE 'share' END AS kind, s.context_id AS context_id, s.principal AS principal,
                json_object('agent_id', s.agent_id, 'access', s.access) AS detail
            FROM memory_share_event s WHERE s.context_id IN scope
            """
        let decisionsBranch = """
            SELECT a.at AS at, '\(rank(.decision))' || printf('%020d', a.seq) AS tie, 'decision' AS kind, substr(a.resource, 8) AS context_id,
                a.principal AS principal, json_object('action', a.action, 'decision', a.decision, 'reason', a.reason) AS detail
            FROM audit_log a WHERE \(decisions)
            """
        // Each source, bounded: `branch` names its columns at, tie, kind, context_id, principal, detail.
        func bounded(_ branch: String) -> String {
            "SELECT * FROM (SELECT * FROM (\(branch))\(bounds.isEmpty ? "" : " WHERE " + bounds.joined(separator: " AND ")) ORDER BY at, tie LIMIT \(limit))"
        }
        let sources = [
            (versions, [(any DatabaseValueConvertible)?]()), (runsBranch, runArguments), (errorsBranch, errorArguments),
            (resolvedBranch, errorArguments), (sharesBranch, []), (decisionsBranch, decisionArguments),
        ]
        for source in sources { arguments += source.1 + boundArguments }
        let sql = """
            WITH RECURSIVE subtree(id) AS (
                SELECT ?\(subtree ? " UNION ALL SELECT m.id FROM memory_context m JOIN subtree s ON m.parent_id = s.id LIMIT \(maxTreeItems + 1)" : "")),
            scope(id) AS (
                SELECT c.id FROM memory_context c WHERE c.id IN (SELECT id FROM subtree)\(readable) AND (c.visible_until IS NULL OR c.visible_until > ?)),
            events AS (
                \(sources.map { bounded($0.0) }.joined(separator: "\n    UNION ALL\n    ")))
            """
        return (sql, arguments)
    }
}
