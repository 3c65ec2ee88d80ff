import Foundation
import GRDB

/// The access rules, evaluated inside the transaction of the operation they guard.
///
/// Admins may do everything; everyone else is denied unless a rule below allows it.
enum AccessRules {
    static func requireAdmin(_ principal: Principal, in db: Database) throws {
        guard principal.isAdmin else { throw adminDenial(principal) }
    }

    /// Choosing what a tool runs needs an admin: the executor runs as dryad's own user, so whoever
    /// picks it could read the database file (and its signing keys). A `write` grant changes
    /// everything else about a tool, its timeout included; a new version it adds keeps the program.
    static func requireExecutorChoice(_ principal: Principal, tool: String, from current: ToolEndpoint?, to next: ToolEndpoint?) throws {
        guard !principal.isAdmin, !ToolEndpoint.sameProgram(current, next) else { return }
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
