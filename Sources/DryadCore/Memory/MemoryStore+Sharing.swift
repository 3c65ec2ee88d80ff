import Foundation
import GRDB

extension MemoryStore {
    // MARK: - Sharing

    /// Shares a context (and so its descendants) with another agent; sharing again changes the access.
    public func share(_ id: String, with agent: String, access: MemoryAccess, as principal: Principal) async throws(DryadError) -> MemoryContext {
        try MemoryRules.checkAgent(agent, field: "with")
        let now = database.now()
        return try await database.audited(principal, .memoryShare, "memory:\(id)") { db, note in
            let context = try Self.fetch(id, now: now, in: db)
            note.reason = try Self.requireOwner(context, principal, in: db)
            guard context.agentID != agent else {
                throw DryadError.invalidInput("with: \(agent) owns context \(id) already")
            }
            try Self.writeShare(id, with: agent, access: access, by: principal.name, at: now, in: db)
            return try Self.fetch(id, now: now, in: db)
        }
    }

    /// Makes a context's shares exactly `shares` (a fixture lists every share).
    static func replaceShares(of id: String, with shares: [MemoryShare], by principal: String, at now: String, in db: Database) throws {
        let listed = Set(shares.map(\.agentID))
        for agent in try String.fetchAll(db, sql: "SELECT agent_id FROM memory_share WHERE context_id = ?", arguments: [id]) where !listed.contains(agent) {
            try removeShare(id, with: agent, by: principal, at: now, in: db)
        }
        for share in shares { try writeShare(id, with: share.agentID, access: share.access, by: principal, at: now, in: db) }
    }

    /// Writes one share; sharing again changes the access. Every share goes through here, and
    /// each change of access is kept for the context's trace.
    static func writeShare(_ id: String, with agent: String, access: MemoryAccess, by principal: String, at now: String, in db: Database) throws {
        let held = try String.fetchOne(db, sql: "SELECT access FROM memory_share WHERE context_id = ? AND agent_id = ?", arguments: [id, agent])
        guard held != access.rawValue else { return }
        try db.execute(
            sql: """
                INSERT INTO memory_share (context_id, agent_id, access, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (context_id, agent_id) DO UPDATE SET access = excluded.access
                """,
            arguments: [id, agent, access.rawValue, now])
        try recordShareEvent(id, agent: agent, access: access, by: principal, at: now, in: db)
    }

    /// Removes one share; false when there was none. Every unshare goes through here.
    @discardableResult
    static func removeShare(_ id: String, with agent: String, by principal: String, at now: String, in db: Database) throws -> Bool {
        try db.execute(sql: "DELETE FROM memory_share WHERE context_id = ? AND agent_id = ?", arguments: [id, agent])
        guard db.changesCount > 0 else { return false }
        try recordShareEvent(id, agent: agent, access: nil, by: principal, at: now, in: db)
        return true
    }

    /// Keeps a grant (`access`) or a revocation (nil) for the trace.
    private static func recordShareEvent(_ id: String, agent: String, access: MemoryAccess?, by principal: String, at now: String, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO memory_share_event (context_id, agent_id, access, principal, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, agent, access?.rawValue, principal, now])
    }

    /// Stops sharing a context with an agent.
    public func unshare(_ id: String, with agent: String, as principal: Principal) async throws(DryadError) -> MemoryContext {
        let now = database.now()
        return try await database.audited(principal, .memoryUnshare, "memory:\(id)") { db, note in
            note.reason = try Self.requireOwner(try Self.fetch(id, now: now, in: db), principal, in: db)
            guard try Self.removeShare(id, with: agent, by: principal.name, at: now, in: db) else {
                throw DryadError.notFound("context \(id) is not shared with \(agent)")
            }
            return try Self.fetch(id, now: now, in: db)
        }
    }
}
