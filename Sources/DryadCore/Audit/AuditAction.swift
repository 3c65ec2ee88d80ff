/// What an audit entry records was done: the trail's `action` column.
///
/// One case per operation, so a misspelt action does not compile, and each says here whether
/// it only reads (which decides where it runs and how its entry is written): a new action
/// cannot be added without answering that.
public enum AuditAction: String, Sendable, CaseIterable {
    case apply = "apply"
    case applyCreate = "apply.create"
    case applyUpdate = "apply.update"
    case auditHead = "audit.head"
    /// Written by dryad itself, once: the checkpoint where the chain becomes keyed.
    case auditKeyed = "audit.keyed"
    case auditList = "audit.list"
    case auditPrune = "audit.prune"
    case auditVerify = "audit.verify"
    case authAs = "auth.as"
    case authToken = "auth.token"
    case dbBackup = "db.backup"
    case dbCheck = "db.check"
    case dbRestore = "db.restore"
    case dbRestoreCheck = "db.restore.check"
    case dbStatus = "db.status"
    case dbVacuum = "db.vacuum"
    case errorsList = "errors.list"
    case errorsLog = "errors.log"
    case errorsResolve = "errors.resolve"
    case errorsShow = "errors.show"
    case executionsList = "executions.list"
    case executionsShow = "executions.show"
    case exportBundle = "export"
    case importBundle = "import"
    case keysRotate = "keys.rotate"
    case keysRotateKEK = "keys.rotate-kek"
    case memoryChildren = "memory.children"
    case memoryDelete = "memory.delete"
    case memoryGet = "memory.get"
    case memoryHistory = "memory.history"
    case memoryList = "memory.list"
    case memoryParents = "memory.parents"
    case memoryPurge = "memory.purge"
    case memorySearch = "memory.search"
    case memoryShare = "memory.share"
    case memoryStore = "memory.store"
    case memoryTrace = "memory.trace"
    case memoryUnshare = "memory.unshare"
    case memoryUpdate = "memory.update"
    /// A scrape of the server's `/metrics`, which name tools and routes.
    case metricsRead = "metrics.read"
    case permsCheck = "perms.check"
    case permsGrant = "perms.grant"
    case permsList = "perms.list"
    case permsRevoke = "perms.revoke"
    case principalsAdd = "principals.add"
    case principalsDisable = "principals.disable"
    case principalsEnable = "principals.enable"
    case principalsSetRole = "principals.set-role"
    case principalsList = "principals.list"
    case principalsRemove = "principals.remove"
    case principalsSetLimit = "principals.set-limit"
    case principalsSetQuota = "principals.set-quota"
    case principalsShow = "principals.show"
    case serveRequest = "serve.request"
    case serversAdd = "servers.add"
    case serversGet = "servers.get"
    case serversList = "servers.list"
    case serversRemove = "servers.remove"
    case serversSync = "servers.sync"
    case sessionsEnd = "sessions.end"
    case sessionsList = "sessions.list"
    case sessionsShow = "sessions.show"
    case sessionsStart = "sessions.start"
    case tokensIssue = "tokens.issue"
    case tokensList = "tokens.list"
    case tokensRevoke = "tokens.revoke"
    case toolsDelete = "tools.delete"
    case toolsExecute = "tools.execute"
    case toolsGet = "tools.get"
    case toolsHistory = "tools.history"
    case toolsList = "tools.list"
    case toolsRegister = "tools.register"
    case toolsStats = "tools.stats"
    case toolsUpdate = "tools.update"

    /// Actions that change nothing: with a batched or disabled read audit they run on a
    /// concurrent reader instead of the writer, and their entries go into the read batches.
    var isRead: Bool {
        switch self {
        case .toolsGet, .toolsList, .toolsHistory, .toolsStats, .executionsList, .executionsShow, .sessionsList, .sessionsShow, .memoryGet, .memoryParents,
            .memoryChildren, .memoryTrace,
            .memoryHistory, .memoryList, .memorySearch, .errorsList, .errorsShow, .principalsList, .principalsShow, .permsList, .permsCheck, .tokensList,
            .auditList,
            .auditVerify, .auditHead, .dbStatus, .dbCheck, .metricsRead, .serversGet, .serversList:
            true
        case .apply, .applyCreate, .applyUpdate, .auditKeyed, .auditPrune, .keysRotateKEK, .authAs, .authToken, .dbBackup, .dbRestore, .dbRestoreCheck,
            .dbVacuum, .errorsLog,
            .errorsResolve, .exportBundle, .importBundle, .keysRotate, .memoryDelete, .memoryPurge, .memoryShare, .memoryStore, .memoryUnshare, .memoryUpdate,
            .permsGrant, .permsRevoke, .principalsAdd, .principalsDisable, .principalsEnable, .principalsRemove, .principalsSetRole, .principalsSetLimit,
            .principalsSetQuota, .serveRequest, .serversAdd, .serversRemove, .serversSync,
            .sessionsEnd, .sessionsStart,
            .tokensIssue, .tokensRevoke, .toolsDelete, .toolsExecute, .toolsRegister, .toolsUpdate:
            false
        }
    }

    /// Reads of one record (bounded work) run on the caller's thread; listings, searches and
    /// checks of the whole trail run on a reader queue so they cannot hold up a server's event loop.
    var isPointRead: Bool {
        switch self {
        case .toolsGet, .executionsShow, .sessionsShow, .memoryGet, .principalsShow, .permsCheck, .serversGet:
            true
        default:
            false
        }
    }
}
