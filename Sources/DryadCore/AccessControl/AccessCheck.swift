import GRDB

/// Applies `AccessRules` inside an operation's transaction: reads the facts a rule needs from
/// the stores that own them (grants, shares) and asks the rule, so a decision and the change it
/// guards see the same snapshot.
enum AccessCheck {
    /// The grants on a tool that reach `principal`; none are read for an admin.
    static func grants(on toolID: String, for principal: Principal, in db: Database) throws -> [HeldGrant] {
        principal.isAdmin ? [] : try PermissionStore.grants(on: toolID, reaching: principal.name, kind: principal.kind, in: db)
    }

    /// Whether `principal` holds `level` on a tool, and the rule that says so.
    static func toolDecision(_ principal: Principal, toolID: String, level: ToolLevel, in db: Database) throws -> (allowed: Bool, reason: String) {
        AccessRules.toolDecision(principal, level: level, grants: try grants(on: toolID, for: principal, in: db))
    }

    /// Requires `level` on `tool` (see `AccessRules.requireTool`).
    @discardableResult
    static func requireTool(_ level: ToolLevel, _ tool: ToolVersion, asked reference: ToolReference, _ principal: Principal, in db: Database) throws
        -> String
    {
        try AccessRules.requireTool(level, tool, asked: reference, principal, grants: try grants(on: tool.id, for: principal, in: db))
    }

    /// What `principal` may do with a context, reading shares only when the rule needs them.
    static func contextAccess(_ principal: Principal, contextID: String, owner: String, in db: Database) throws -> (access: MemoryAccess?, reason: String) {
        AccessRules.contextAccess(principal, owner: owner, share: try share(reaching: contextID, owner: owner, for: principal, in: db))
    }

    /// Requires read (or write) access to a context (see `AccessRules.requireContext`).
    @discardableResult
    static func requireContext(_ needed: MemoryAccess, _ context: MemoryContext, _ principal: Principal, in db: Database) throws -> String {
        try AccessRules.requireContext(needed, context, principal, share: try share(reaching: context.id, owner: context.agentID, for: principal, in: db))
    }

    /// The strongest share of a context reaching `principal`, read only when the rule needs it.
    private static func share(reaching contextID: String, owner: String, for principal: Principal, in db: Database) throws -> MemoryAccess? {
        AccessRules.needsShares(principal, owner: owner) ? try MemoryStore.shareReaching(contextID, agent: principal.name, in: db) : nil
    }
}
