/// The access rules: who may do what, decided from facts the stores read (a principal's grants
/// on a tool, the share that reaches a context), never from SQL of their own.
///
/// Admins may do everything; everyone else is denied unless a rule below allows it. The rules
/// are pure functions, so they stay one piece of code whichever backend the stores run on;
/// `AccessCheck` fetches the facts inside the transaction of the operation they guard.
enum AccessRules {
    /// What an operation needs before any resource is looked at.
    enum Requirement: Equatable {
        /// Only admins: refused before the operation's transaction starts.
        case admin
        /// Decided by the operation on the resources it touches (grants, ownership, shares).
        case perResource
    }

    /// Which operations are admin-only: one exhaustive table, so a new action must answer it.
    static func requirement(for action: AuditAction) -> Requirement {
        switch action {
        case .apply, .applyCreate, .applyUpdate, .auditHead, .auditKeyed, .auditList, .auditPrune, .auditVerify, .keysRotateKEK, .dbBackup, .dbCheck,
            .dbRestore, .dbRestoreCheck, .dbStatus,
            .dbVacuum, .exportBundle, .importBundle, .keysRotate, .memoryPurge, .metricsRead, .permsCheck, .permsGrant, .permsList, .permsRevoke,
            .principalsAdd,
            .principalsDisable, .principalsEnable, .principalsList, .principalsRemove, .principalsSetRole, .principalsSetLimit, .principalsSetQuota,
            .principalsShow, .serversAdd, .serversGet, .serversList, .serversRemove, .serversSync, .tokensIssue, .tokensList,
            .tokensRevoke:
            .admin
        case .authAs, .authToken, .errorsList, .errorsLog, .errorsResolve, .errorsShow, .executionsList, .executionsShow, .memoryChildren, .memoryDelete,
            .memoryGet, .memoryHistory,
            .memoryList, .memoryParents, .memorySearch, .memoryShare, .memoryStore, .memoryTrace, .memoryUnshare, .memoryUpdate, .serveRequest, .sessionsEnd,
            .sessionsList, .sessionsShow, .sessionsStart, .toolsDelete, .toolsExecute, .toolsGet, .toolsHistory, .toolsList, .toolsRegister,
            .toolsStats, .toolsUpdate:
            .perResource
        }
    }

    /// The refusal of an admin-only action for anyone else; nil when the operation may go on
    /// to decide on its resources.
    static func upFrontDenial(_ principal: Principal, _ action: AuditAction) -> Denial? {
        requirement(for: action) == .admin && !principal.isAdmin ? adminDenial(principal) : nil
    }

    static func requireAdmin(_ principal: Principal) throws {
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

    /// Choosing what a tool accepts needs an admin too: the input schema is the admin's guard on
    /// what a caller may pass to the program (a `pattern` keeping a path inside a folder), so a new
    /// version registered with a `write` grant keeps its predecessor's schema when it keeps the
    /// program. A version without an executor runs nothing, so its schema is free.
    static func requireInputSchemaChoice(
        _ principal: Principal, tool: String, executor: ToolEndpoint?, from current: JSONValue, to next: JSONValue
    ) throws {
        guard !principal.isAdmin, executor != nil, current != next else { return }
        throw Denial(
            error: .permissionDenied("\(principal.name) may not change what \(tool) accepts: a new input schema for an executor needs the admin role"),
            reason: "input schema change requires role admin")
    }

    /// Enabling what an admin disabled needs an admin: a writer may deprecate or disable a version
    /// (it could delete it), but not bring back one taken out of service, nor add a live version to
    /// a tool whose every version is disabled.
    static func requireStatusChoice(_ principal: Principal, tool: String, from current: ToolStatus, to next: ToolStatus) throws {
        guard !principal.isAdmin, current == .disabled, next != .disabled else { return }
        throw Denial(
            error: .permissionDenied("\(principal.name) may not enable \(tool): it was disabled, and enabling needs the admin role"),
            reason: "enabling a disabled tool requires role admin")
    }

    /// The refusal of an admin-only operation.
    static func adminDenial(_ principal: Principal) -> Denial {
        Denial(error: .permissionDenied("\(principal.name) may not do this: it needs the admin role"), reason: "requires role admin")
    }

    // MARK: - Tools

    /// Whether `principal` holds `level` on a tool given the grants on it that reach them
    /// (by name or by type), and the rule that says so. `execute` and `write` each imply `read`.
    static func toolDecision(_ principal: Principal, level: ToolLevel, grants: [HeldGrant]) -> (allowed: Bool, reason: String) {
        if principal.isAdmin { return (true, "role admin") }
        for grant in grants where grant.level == level || level == .read {
            return (true, "grant \(grant.level.rawValue) to " + (grant.holder.map { "principal \($0)" } ?? "type \(principal.kind.rawValue)"))
        }
        return (false, grants.isEmpty ? "no grant" : "no \(level.rawValue) grant")
    }

    /// Requires `level` on `tool`: a tool the principal cannot read is "not found" so names do not leak.
    @discardableResult
    static func requireTool(_ level: ToolLevel, _ tool: ToolVersion, asked reference: ToolReference, _ principal: Principal, grants: [HeldGrant]) throws
        -> String
    {
        let decision = toolDecision(principal, level: level, grants: grants)
        if decision.allowed { return decision.reason }
        if level != .read, toolDecision(principal, level: .read, grants: grants).allowed {
            throw Denial(error: .permissionDenied("\(principal.name) may not \(level.rawValue) tool \(tool.reference)"), reason: decision.reason)
        }
        // Worded as `ToolRegistry.resolve` words a missing tool, with the reference as asked: the
        // stored name would tell an id's owner, and a version's presence, to a caller who may not see them.
        throw Denial(error: .notFound("tool \(reference) not found"), reason: decision.reason)
    }

    /// Which tools a listing may show the principal: tools hold grants by name or by type.
    static func visibleTools(_ principal: Principal) -> Visibility {
        principal.isAdmin ? .everything : .reachedBy(name: principal.name, kind: principal.kind)
    }

    // MARK: - Memory

    /// What `principal` may do with a context owned by `owner`, given the strongest share that
    /// reaches them through the context or an ancestor: admins and owners write; a share gives its
    /// level; anyone else nothing. Only agents own or receive shares.
    static func contextAccess(_ principal: Principal, owner: String, share: MemoryAccess?) -> (access: MemoryAccess?, reason: String) {
        if principal.isAdmin { return (.write, "role admin") }
        guard principal.kind == .agent else { return (nil, "only agents hold memory") }
        if owner == principal.name { return (.write, "owner") }
        guard let share else { return (nil, "not shared") }
        return (share, "shared \(share.rawValue)")
    }

    /// Whether the facts `contextAccess` needs beyond the context itself (shares) are worth
    /// reading: admins, owners and non-agents are decided without them.
    static func needsShares(_ principal: Principal, owner: String) -> Bool {
        !principal.isAdmin && principal.kind == .agent && owner != principal.name
    }

    /// Requires read (or write) access to a context; a context the principal cannot read is "not found".
    @discardableResult
    static func requireContext(_ needed: MemoryAccess, _ context: MemoryContext, _ principal: Principal, share: MemoryAccess?) throws -> String {
        let (access, reason) = contextAccess(principal, owner: context.agentID, share: share)
        switch (needed, access) {
        case (_, .write?), (.read, .read?): return reason
        case (.write, .read?):
            throw Denial(error: .permissionDenied("\(principal.name) may only read context \(context.id)"), reason: reason)
        case (_, nil):
            throw Denial(error: .notFound("context \(context.id) not found"), reason: reason)
        }
    }

    /// Which contexts a listing may show the principal: their own and those shared with them
    /// (with their descendants).
    static func visibleContexts(_ principal: Principal) -> Visibility {
        if principal.isAdmin { return .everything }
        guard principal.kind == .agent else { return .nothing }
        return .reachedBy(name: principal.name, kind: principal.kind)
    }
}
