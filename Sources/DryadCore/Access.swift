import Foundation
import GRDB

/// A level of access to one tool: `read` sees it, `execute` runs it, `write` changes it.
public enum ToolLevel: String, Sendable, Codable, CaseIterable {
    case read, write, execute
}

/// A refusal raised inside a transaction: the transaction rolls back, the refusal is audited
/// in its own transaction, and `error` reaches the caller.
struct Denial: Error {
    /// What the caller sees: not found for what it may not read, permission denied otherwise.
    var error: DryadError
    /// The rule that refused, for the audit trail.
    var reason: String
}

/// What the audit entry of an allowed operation says; operations refine it as they learn more.
struct AuditNote: Sendable {
    var resource: String
    var reason: String
}

/// The access rules, evaluated inside the transaction of the operation they guard.
///
/// Admins may do everything; everyone else is denied unless a rule below allows it.
enum Access {
    static func requireAdmin(_ principal: Principal, in db: Database) throws {
        guard principal.isAdmin else { throw adminDenial(principal) }
    }

    /// Choosing what a tool runs needs an admin: the executor runs as dryad's own user, so whoever
    /// picks it could read the database file (and its signing keys). A `write` grant changes
    /// everything else about a tool, its timeout included; a new version it adds keeps the program.
    static func requireExecutorChoice(_ principal: Principal, tool: String, from current: Executor?, to next: Executor?) throws {
        guard !principal.isAdmin, !Executor.sameProgram(current, next) else { return }
        throw Denial(
            error: .permissionDenied("\(principal.name) may not change what \(tool) runs: setting an executor needs the admin role"),
            reason: "executor change requires role admin")
    }

    /// The refusal of an admin-only operation.
    static func adminDenial(_ principal: Principal) -> Denial {
        Denial(error: .permissionDenied("\(principal.name) may not do this: it needs the admin role"), reason: "requires role admin")
    }

    // MARK: - Tools

    /// Whether `principal` holds `level` on a tool, and the rule that says so.
    /// `execute` and `write` each imply `read`.
    static func toolDecision(_ principal: Principal, toolID: String, level: ToolLevel, in db: Database) throws -> (allowed: Bool, reason: String) {
        if principal.isAdmin { return (true, "role admin") }
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT level, principal_name FROM tool_permission WHERE tool_id = ? AND (principal_name = ? OR principal_type = ?)"),
            arguments: [toolID, principal.name, principal.kind.rawValue])
        for row in rows {
            let granted = ToolLevel(rawValue: row["level"]) ?? .read
            if granted == level || level == .read {
                let holder: String? = row["principal_name"]
                return (true, "grant \(granted.rawValue) to " + (holder.map { "principal \($0)" } ?? "type \(principal.kind.rawValue)"))
            }
        }
        return (false, rows.isEmpty ? "no grant" : "no \(level.rawValue) grant")
    }

    /// Requires `level` on `tool`: a tool the principal cannot read is "not found" so names do not leak.
    @discardableResult
    static func requireTool(_ level: ToolLevel, _ tool: ToolVersion, _ principal: Principal, in db: Database) throws -> String {
        let decision = try toolDecision(principal, toolID: tool.id, level: level, in: db)
        if decision.allowed { return decision.reason }
        if level != .read, try toolDecision(principal, toolID: tool.id, level: .read, in: db).allowed {
            throw Denial(error: .permissionDenied("\(principal.name) may not \(level.rawValue) tool \(tool.reference)"), reason: decision.reason)
        }
        throw Denial(error: .notFound("tool \(tool.name) not found"), reason: decision.reason)
    }

    /// An SQL condition (on `t.id`) limiting a listing to the tools the principal can read; nil for admins.
    static func readableTools(_ principal: Principal, column: String = "t.id") -> (sql: String, arguments: [(any DatabaseValueConvertible)?])? {
        if principal.isAdmin { return nil }
        return (
            "EXISTS (SELECT 1 FROM tool_permission p WHERE p.tool_id = \(column) AND (p.principal_name = ? OR p.principal_type = ?))",
            [principal.name, principal.kind.rawValue]
        )
    }

    // MARK: - Memory

    /// What `principal` may do with a context: admins and owners write; shares of the context or
    /// any ancestor give their level; anyone else nothing. Only agents own or receive shares.
    static func contextAccess(_ principal: Principal, contextID: String, owner: String, in db: Database) throws -> (access: MemoryAccess?, reason: String) {
        if principal.isAdmin { return (.write, "role admin") }
        guard principal.kind == .agent else { return (nil, "only agents hold memory") }
        if owner == principal.name { return (.write, "owner") }
        let level = try String.fetchOne(
            db,
            sql: """
                WITH RECURSIVE chain(id, parent_id, n) AS (
                    SELECT id, parent_id, 0 FROM memory_context WHERE id = ?
                    UNION ALL SELECT c.id, c.parent_id, chain.n + 1 FROM memory_context c JOIN chain ON c.id = chain.parent_id
                    WHERE chain.n < \(MemoryRules.maxChain))
                SELECT max(s.access) FROM memory_share s JOIN chain ON s.context_id = chain.id WHERE s.agent_id = ?
                """,
            arguments: [contextID, principal.name])
        guard let level, let access = MemoryAccess(rawValue: level) else { return (nil, "not shared") }
        return (access, "shared \(access.rawValue)")
    }

    /// Requires read (or write) access to a context; a context the principal cannot read is "not found".
    @discardableResult
    static func requireContext(_ needed: MemoryAccess, _ context: MemoryContext, _ principal: Principal, in db: Database) throws -> String {
        let (access, reason) = try contextAccess(principal, contextID: context.id, owner: context.agentID, in: db)
        switch (needed, access) {
        case (_, .write?), (.read, .read?): return reason
        case (.write, .read?):
            throw Denial(error: .permissionDenied("\(principal.name) may only read context \(context.id)"), reason: reason)
        case (_, nil):
            throw Denial(error: .notFound("context \(context.id) not found"), reason: reason)
        }
    }

    /// An SQL condition (on `c.`) limiting a listing to the contexts the principal can read; nil for admins.
    static func readableContexts(_ principal: Principal) -> (sql: String, arguments: [(any DatabaseValueConvertible)?])? {
        if principal.isAdmin { return nil }
        guard principal.kind == .agent else { return ("0", []) }
        return (
            """
            (c.agent_id = ? OR c.id IN (
                WITH RECURSIVE shared(id) AS (
                    SELECT context_id FROM memory_share WHERE agent_id = ?
                    UNION SELECT m.id FROM memory_context m JOIN shared ON m.parent_id = shared.id)
                SELECT id FROM shared))
            """, [principal.name, principal.name]
        )
    }
}

extension DryadDatabase {
    /// Runs `body` in one write transaction together with the audit entry that records the
    /// allowed decision: if the entry cannot be written, the change does not happen. A `Denial`
    /// thrown by `body` rolls the change back and is audited in a transaction of its own.
    /// `skipAudit` lets an operation whose result is its own record (an import that brings the
    /// source's audit trail) leave the trail as it found it.
    func audited<T: Sendable>(
        _ principal: Principal, _ action: String, _ resource: String,
        cache: CachedRead<T>? = nil,
        _ body: @escaping @Sendable (Database, inout AuditNote) throws -> T,
        skipAudit: (@Sendable (T) -> Bool)? = nil
    ) async throws(DryadError) -> T {
        let at = now()
        if Self.readActions.contains(action) {
            switch readAudit {
            case .immediate: break
            case .batched, .none:
                return try await auditedRead(principal, action, resource, at: at, cache: cache, body)
            }
        }
        do {
            return try await committer.write { db in
                var note = AuditNote(resource: resource, reason: principal.isAdmin ? "role admin" : "allowed")
                let result = try body(db, &note)
                if skipAudit?(result) != true {
                    try AuditLog.append(
                        principal: principal.name, action: action, resource: note.resource, allowed: true,
                        reason: note.reason, requestID: principal.requestID, at: at, in: db)
                }
                return result
            }
        } catch let denial as Denial {
            try await recordDenial(principal, action, resource, reason: denial.reason, at: at)
            throw denial.error
        } catch {
            throw Self.map(error, path: path)
        }
    }

    /// Actions that change nothing: with a batched or disabled read audit they run on a
    /// concurrent reader instead of the writer.
    static let readActions: Set<String> = [
        "tools.get", "tools.list", "tools.history", "tools.stats", "executions.show", "sessions.list", "sessions.show",
        "memory.get", "memory.parents", "memory.children", "memory.history", "memory.list", "memory.search", "errors.list",
        "principals.list", "principals.show", "perms.list", "perms.check", "tokens.list", "audit.list", "audit.verify", "db.status", "db.check",
    ]

    /// Reads of one record (bounded work) run on the caller's thread; listings, searches and
    /// checks of the whole trail run on a reader queue so they cannot hold up a server's event loop.
    static let pointReads: Set<String> = ["tools.get", "executions.show", "sessions.show", "memory.get", "principals.show", "perms.check"]

    /// An allowed read audited in the batch (or not at all); with a `cache` plan and a read
    /// cache, an answer still valid is served from it, with the decision it was read with.
    private func auditedRead<T: Sendable>(
        _ principal: Principal, _ action: String, _ resource: String, at: String,
        cache: CachedRead<T>? = nil,
        _ body: @escaping @Sendable (Database, inout AuditNote) throws -> T
    ) async throws(DryadError) -> T {
        do {
            let plan = readCache == nil ? nil : cache?.plan
            let key = plan.map { ReadCache.key($0, principal) }
            // A failed lookup (a file restored from before the cache, mid-migration) is a miss:
            // the read itself then reports whatever is wrong.
            if let plan, let key, let readCache,
                let generation = (try? pointReaders.read({ db in try ReadCache.generation(plan.scope, in: db) })) ?? nil,
                let (value, note): (T, AuditNote) = readCache.lookup(plan.scope, key, generation: generation, now: at)
            {
                try enqueueRead(principal, action, note, at: at)
                return value
            }
            let read: @Sendable (Database) throws -> (T, AuditNote, ReadCache.Stamp?) = { db in
                var note = AuditNote(resource: resource, reason: principal.isAdmin ? "role admin" : "allowed")
                let result = try body(db, &note)
                return (result, note, plan.flatMap { (try? ReadCache.stamp($0, in: db)) ?? nil })
            }
            let (result, note, stamp) = Self.pointReads.contains(action) ? try pointReaders.read(read) : try await pool.read(read)
            if let plan, let key, let stamp, let cache {
                readCache?.store(plan.scope, key, result, note: note, cost: cache.cost(result), stamp: stamp)
            }
            try enqueueRead(principal, action, note, at: at)
            return result
        } catch let denial as Denial {
            try await recordDenial(principal, action, resource, reason: denial.reason, at: at)
            throw denial.error
        } catch {
            throw Self.map(error, path: path)
        }
    }

    /// Queues an allowed read's audit entry when reads are batched.
    private func enqueueRead(_ principal: Principal, _ action: String, _ note: AuditNote, at: String) throws(DryadError) {
        if case .batched = readAudit,
            !batcher.enqueue(principal: principal, action: action, resource: note.resource, reason: note.reason, at: at)
        {
            throw DryadError.busy("the audit trail is not being written (its queue is full); reads are refused until it is")
        }
    }

    /// Audits a refusal that happened outside any transaction (a bad token, a rate limit).
    func recordDenial(_ principal: Principal, _ action: String, _ resource: String, reason: String, at: String? = nil) async throws(DryadError) {
        let at = at ?? now()
        // A refusal changes nothing, so a server writes it with the batched reads: a flood of bad
        // tokens or over-limit requests costs a batched insert each, not a commit each.
        if case .batched = readAudit {
            guard batcher.enqueue(principal: principal, action: action, resource: resource, allowed: false, reason: reason, at: at) else {
                throw DryadError.busy("the audit trail is not being written (its queue is full); requests are refused until it is")
            }
            return
        }
        do {
            _ = try await committer.write { db in
                try AuditLog.append(
                    principal: principal.name, action: action, resource: resource, allowed: false, reason: reason,
                    requestID: principal.requestID, at: at, in: db)
            }
        } catch {
            throw Self.map(error, path: path)
        }
    }
}
