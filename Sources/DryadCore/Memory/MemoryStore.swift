import Foundation
import GRDB

/// Agent memory: contexts in parent/child trees, their versions, shares and search.
public struct MemoryStore: Sendable {
    /// The default cap on one context's data.
    public static let defaultMaxDataBytes = 1024 * 1024

    let database: DryadDatabase
    /// The largest data object accepted, as canonical JSON bytes (`DryadDatabase.Limits`).
    let maxDataBytes: Int

    // MARK: - Store

    /// Stores a new context (version 1); the parent must exist.
    public func store(_ draft: MemoryDraft, as principal: Principal) async throws(DryadError) -> MemoryContext {
        try check(draft)
        let now = database.clock()
        let id = UUID().uuidString.lowercased()
        return try await database.audited(principal, .memoryStore, "memory:\(id)") { db, note in
            note.reason = try Self.requireStore(draft, principal, now: now, in: db)
            return try Self.insert(draft, id: id, now: now, principal: principal, in: db)
        }
    }

    /// The field rules of a new context.
    func check(_ draft: MemoryDraft) throws(DryadError) {
        try Self.check(draft, limit: maxDataBytes)
    }

    static func check(_ draft: MemoryDraft, limit: Int) throws(DryadError) {
        try MemoryRules.checkAgent(draft.agentID, field: "agent_id")
        guard MemoryRules.isValidType(draft.contextType) else {
            throw .invalidInput("context_type: \"\(ToolRules.printable(draft.contextType))\" must be 1-64 characters of A-Z a-z 0-9 _ - . : /")
        }
        try MemoryRules.checkData(draft.data, limit: limit)
        try ToolRules.checkTags(draft.tags, path: "tags")
        try MemoryRules.checkTTL(draft.ttl)
        if let key = draft.key { try MemoryRules.checkKey(key, field: "key") }
    }

    /// Admins store anything; an agent stores its own contexts, under parents it may write.
    static func requireStore(_ draft: MemoryDraft, _ principal: Principal, now: Date, in db: Database) throws -> String {
        if let parentID = draft.parentID, let parent = try? fetch(parentID, now: Timestamp.format(now), in: db) {
            do {
                try AccessCheck.requireContext(.write, parent, principal, in: db)
            } catch let denial as Denial where denial.error.code == "not_found" {
                // A parent the caller may not read answers as a missing one does (`insert`).
                throw Denial(error: .notFound("parent context \(parentID) not found"), reason: denial.reason)
            }
        }
        if principal.isAdmin { return "role admin" }
        guard principal.kind == .agent else {
            throw Denial(
                error: .permissionDenied("\(principal.name) is a \(principal.kind.rawValue): only agents hold memory (an admin may store for one)"),
                reason: "not an agent")
        }
        guard draft.agentID == principal.name else {
            throw Denial(error: .permissionDenied("\(principal.name) may only store contexts it owns"), reason: "not the owner")
        }
        return "owner"
    }

    /// Sharing and deleting belong to the owner (and admins).
    static func requireOwner(_ context: MemoryContext, _ principal: Principal, in db: Database) throws -> String {
        let reason = try AccessCheck.requireContext(.read, context, principal, in: db)
        guard principal.isAdmin || context.agentID == principal.name else {
            throw Denial(error: .permissionDenied("only the owner of context \(context.id) may do this"), reason: "not the owner")
        }
        return reason
    }

    /// Inserts a checked draft as version 1, inheriting depth and visibility from its parent.
    static func insert(_ draft: MemoryDraft, id: String, now: Date, principal: Principal, in db: Database) throws -> MemoryContext {
        let nowText = Timestamp.format(now)
        let expires = draft.ttl.map { MemoryRules.expiry(now, ttl: $0) }
        var depth = 0
        var visibleUntil = expires
        if let parentID = draft.parentID {
            guard
                let parent = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT depth, visible_until FROM memory_context WHERE id = ? AND \(visible)"),
                    arguments: [parentID, nowText])
            else {
                throw DryadError.notFound("parent context \(parentID) not found")
            }
            depth = (parent["depth"] as Int) + 1
            guard depth <= MemoryRules.maxDepth else {
                throw DryadError.invalidInput("parent: the chain would be deeper than \(MemoryRules.maxChain) contexts")
            }
            visibleUntil = earliest(expires, parent["visible_until"])
        }
        if let key = draft.key,
            let live = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT \(visible) FROM memory_context WHERE agent_id = ? AND key = ?"), arguments: [nowText, draft.agentID, key])
        {
            // Keys are unique per agent, and only the agent (or an admin) stores under its name,
            // so this tells the caller nothing about contexts it cannot read.
            throw DryadError.conflict(
                live
                    ? "\(draft.agentID) already has a context with key \(key)"
                    : "\(draft.agentID) has an expired context with key \(key), kept until the next purge")
        }
        let tags = JSONValue.array(draft.tags.map(JSONValue.string)).canonicalText
        // Cached: preparing this statement also compiles the full-text triggers.
        try db.cachedStatement(
            sql: """
                INSERT INTO memory_context (id, key, agent_id, context_type, data, parent_id, depth, tags, version,
                    created_at, updated_at, expires_at, visible_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id, draft.key, draft.agentID, draft.contextType, draft.data.canonicalText, draft.parentID, depth, tags,
            nowText, nowText, expires, visibleUntil,
        ])
        try recordVersion(
            of: id, VersionWrite(principal: principal.name, changedLeaves: JSONMerge.changedLeaves(from: nil, to: draft.data)), merged: false, at: nowText,
            in: db)
        try StorageQuota.memoryBytes.require(draft.agentID, in: db)
        return try fetch(id, now: nowText, in: db)
    }

    /// Stores drafts as one chain in one transaction: each draft's parent is the one before it
    /// (the first keeps its own `parentID`). Returns the stored contexts, root first.
    public func storeChain(_ drafts: [MemoryDraft], as principal: Principal) async throws(DryadError) -> [MemoryContext] {
        guard let first = drafts.first else { return [] }
        for draft in drafts { try check(draft) }
        let now = database.clock()
        return try await database.audited(principal, .memoryStore, "memory:chain") { db, note in
            for draft in drafts {
                var unlinked = draft
                unlinked.parentID = nil
                note.reason = try Self.requireStore(unlinked, principal, now: now, in: db)
            }
            note.reason = try Self.requireStore(first, principal, now: now, in: db)
            var parentID = first.parentID
            var stored: [MemoryContext] = []
            for draft in drafts {
                var linked = draft
                linked.parentID = parentID
                let context = try Self.insert(linked, id: UUID().uuidString.lowercased(), now: now, principal: principal, in: db)
                stored.append(context)
                parentID = context.id
            }
            return stored
        }
    }

    // MARK: - Update

    /// Writes a new version of a context, keeping the old one.
    ///
    /// With `ifVersion` and a newer current version, `reject` fails with a conflict naming the
    /// current version; `merge` merges three ways (base = that version) and writes the result,
    /// or fails listing every conflicting pointer with both values, writing nothing.
    public func update(_ id: String, _ change: MemoryChange, as principal: Principal) async throws(DryadError) -> MemoryContext {
        let now = database.clock()
        let limit = maxDataBytes
        return try await database.audited(principal, .memoryUpdate, "memory:\(id)") { db, note in
            try Self.apply(change, to: id, principal: principal, now: now, limit: limit, note: &note, in: db)
        }
    }

    /// `update` inside a transaction: writes the next version of `id` (naming `executionID`,
    /// the run whose output it stores, if any) and returns it; returns the context unchanged,
    /// writing nothing, when the change changes nothing. The one place a context changes.
    static func apply(
        _ change: MemoryChange, to id: String, principal: Principal, now: Date, limit: Int, executionID: String? = nil,
        note: inout AuditNote, in db: Database
    ) throws -> MemoryContext {
        let nowText = Timestamp.format(now)
        let current = try Self.fetch(id, now: nowText, in: db)
        note.reason = try AccessCheck.requireContext(.write, current, principal, in: db)
        // A stale precondition answers before anything about the new content (RFC 9110 §13.2.2).
        if let expected = change.ifVersion, !expected.admits(current.version), change.onConflict == .reject {
            throw Precondition.stale(expected: expected, current: current.version, of: "context \(id)", counting: "version")
        }
        if case .keep = change.content, change.tags == nil, change.ttl == nil {
            throw DryadError.invalidInput("nothing to update: give data, a merge patch, tags or a ttl")
        }
        try Self.check(change, against: current)
        // An expiry ends the context and its subtree, as a delete does: the owner's to set.
        if change.ttl != nil { note.reason = try Self.requireOwner(current, principal, in: db) }
        var merged = false
        var data = try change.content.applied(to: current.data)
        if let expected = change.ifVersion, !expected.admits(current.version) {
            guard let baseVersion = expected.single else {
                throw DryadError.invalidInput("a merge starts from one version, not \(expected)")
            }
            guard
                let baseText = try String.fetchOne(
                    db, sql: "SELECT data FROM memory_version WHERE context_id = ? AND version = ?", arguments: [id, baseVersion])
            else {
                throw DryadError.conflict("context \(id) has no version \(baseVersion) to merge from")
            }
            let base = try JSONValue.parse(baseText, maxDepth: 1000)
            let ours = try change.content.applied(to: base)
            let (result, conflicts) = JSONMerge.threeWay(base: base, theirs: current.data, ours: ours)
            guard conflicts.isEmpty else {
                throw DryadError.conflict(Self.describe(conflicts, id: id, current: current.version, base: baseVersion))
            }
            data = result ?? .object([:])
            merged = true
        }
        try MemoryRules.checkData(data, limit: limit)
        let tags = change.tags ?? current.tags
        // A change that changes nothing writes no version, so others' `If-Match` still holds.
        if change.ttl == nil, data == current.data, tags == current.tags { return current }
        var expires = current.expiresAt
        if let ttl = change.ttl { expires = MemoryRules.expiry(now, ttl: ttl) }
        var updated = try Self.rewrite(
            id, data: data, tags: tags, expires: expires, expiryChanged: change.ttl != nil, merged: merged,
            written: VersionWrite(principal: principal.name, executionID: executionID, changedLeaves: JSONMerge.changedLeaves(from: current.data, to: data)),
            at: nowText, in: db)
        updated.merged = merged
        return updated
    }

    /// Refuses an update of `id` unless the context is at one of `expected`'s versions: the
    /// precondition alone, for an interface to answer before it reads the new content.
    /// Audited as the read it is: the update it precedes did not happen.
    public func requireVersion(_ id: String, _ expected: ExpectedNumbers, as principal: Principal) async throws(DryadError) {
        let now = database.now()
        try await database.audited(principal, .memoryGet, "memory:\(id)") { db, note in
            let current = try Self.fetch(id, now: now, in: db)
            note.reason = try AccessCheck.requireContext(.write, current, principal, in: db)
            try Precondition.check(expected, current: current.version, of: "context \(id)", counting: "version")
        }
    }

    /// The content checks of a change, made once its precondition holds: tags, ttl, the merge
    /// patch's shape, and fixed fields restated unchanged.
    static func check(_ change: MemoryChange, against current: MemoryContext) throws(DryadError) {
        if let tags = change.tags { try ToolRules.checkTags(tags, path: "tags") }
        try MemoryRules.checkTTL(change.ttl)
        if case .mergePatch(let patch) = change.content, patch.objectValue == nil {
            throw .invalidInput("merge patch: expected a JSON object, got \(patch.typeName)")
        }
        for (field, value) in change.restated.sorted(by: { $0.key < $1.key }) {
            guard let stored = current.fixedValue(field), stored != value else { continue }
            throw .invalidInput("\(field): cannot change after the context is stored (it is \(stored.canonicalText))")
        }
    }

    /// Writes the next version of a context and records it in its history.
    static func rewrite(
        _ id: String, data: JSONValue, tags: [String], expires: String?, expiryChanged: Bool, merged: Bool,
        written: VersionWrite, at nowText: String, in db: Database
    ) throws -> MemoryContext {
        try db.execute(
            sql: "UPDATE memory_context SET data = ?, tags = ?, version = version + 1, updated_at = ?, expires_at = ? WHERE id = ?",
            arguments: [data.canonicalText, JSONValue.array(tags.map(JSONValue.string)).canonicalText, nowText, expires, id])
        if expiryChanged { try refreshVisibility(of: id, in: db) }
        try recordVersion(of: id, written, merged: merged, at: nowText, in: db)
        let context = try fetch(id, now: nowText, in: db)
        // Every kept version counts: the owner pays for the history a writer adds.
        try StorageQuota.memoryBytes.require(context.agentID, writer: written.principal, in: db)
        return context
    }

    // MARK: - Delete and purge

    /// Deletes a context; one with children needs `recursive`, which deletes the whole subtree.
    /// Returns how many contexts were deleted.
    public func delete(_ id: String, recursive: Bool, ifVersion: ExpectedNumbers? = nil, as principal: Principal) async throws(DryadError) -> Int {
        let now = database.now()
        return try await database.audited(principal, .memoryDelete, "memory:\(id)") { db, note in
            let context = try Self.fetch(id, now: now, in: db)
            note.reason = try Self.requireOwner(context, principal, in: db)
            try Precondition.check(ifVersion, current: context.version, of: "context \(id)", counting: "version")
            let children =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM memory_context WHERE parent_id = ? AND \(Self.visible)", arguments: [id, now]) ?? 0
            if children > 0 && !recursive {
                throw DryadError.advised(
                    .conflict("context \(id) has \(children) child context\(children == 1 ? "" : "s")"),
                    Advice(.text("pass "), .option("recursive"), .text(" to delete them too")))
            }
            try db.execute(
                sql: """
                    WITH RECURSIVE subtree(id) AS (
                        SELECT ? UNION ALL SELECT c.id FROM memory_context c JOIN subtree s ON c.parent_id = s.id)
                    DELETE FROM memory_context WHERE id IN (SELECT id FROM subtree)
                    """,
                arguments: [id])
            return db.changesCount
        }
    }

    /// Removes every expired context (with its descendants, which expire with it); returns how many.
    public func purge(as principal: Principal) async throws(DryadError) -> Int {
        let now = database.now()
        return try await database.audited(principal, .memoryPurge, "memory") { db, _ in
            try db.execute(sql: "DELETE FROM memory_context WHERE visible_until IS NOT NULL AND visible_until <= ?", arguments: [now])
            return db.changesCount
        }
    }

    // MARK: - Shared SQL

    /// The condition that hides expired contexts; takes the current time as its one argument.
    static let visible = "(visible_until IS NULL OR visible_until > ?)"

    static func earliest(_ a: String?, _ b: String?) -> String? {
        switch (a, b) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b): return b
        }
    }

    /// Recomputes `visible_until` for a context and its subtree after its expiry changed.
    static func refreshVisibility(of id: String, in db: Database) throws {
        try db.execute(
            sql: """
                WITH RECURSIVE subtree(id, until) AS (
                    SELECT c.id, CASE
                        WHEN p.visible_until IS NULL THEN c.expires_at
                        WHEN c.expires_at IS NULL THEN p.visible_until
                        ELSE min(c.expires_at, p.visible_until) END
                    FROM memory_context c LEFT JOIN memory_context p ON p.id = c.parent_id WHERE c.id = ?
                    UNION ALL
                    SELECT c.id, CASE
                        WHEN s.until IS NULL THEN c.expires_at
                        WHEN c.expires_at IS NULL THEN s.until
                        ELSE min(c.expires_at, s.until) END
                    FROM memory_context c JOIN subtree s ON c.parent_id = s.id
                )
                UPDATE memory_context SET visible_until = (SELECT until FROM subtree WHERE subtree.id = memory_context.id)
                WHERE id IN (SELECT id FROM subtree)
                """,
            arguments: [id])
    }

    static func recordVersion(of id: String, _ written: VersionWrite, merged: Bool, at now: String, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO memory_version (context_id, version, data, tags, principal, merged, created_at, execution_id, changed_leaves)
                SELECT id, version, data, tags, ?, ?, ?, ?, ? FROM memory_context WHERE id = ?
                """
        ).execute(arguments: [written.principal, merged, now, written.executionID, written.changedLeaves, id])
    }

    /// One visible context with its shares; not found when missing or expired.
    static func fetch(_ id: String, now: String, in db: Database) throws -> MemoryContext {
        guard
            var context = try db.cachedStatement(sql: "SELECT \(columns()) FROM memory_context WHERE id = ? AND \(visible)")
                .decodeFirst(arguments: [id, now], decode)
        else {
            throw DryadError.notFound("context \(id) not found")
        }
        context.sharedWith = try shares(of: [id], in: db)[id] ?? []
        return context
    }

    static func shares(of ids: [String], in db: Database) throws -> [String: [MemoryShare]] {
        guard !ids.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        var result: [String: [MemoryShare]] = [:]
        // Cached per list length (at most a page), so a single context's shares reuse one statement.
        let rows = try db.cachedStatement(sql: "SELECT context_id, agent_id, access FROM memory_share WHERE context_id IN (\(marks)) ORDER BY agent_id")
            .decodeAll(arguments: StatementArguments(ids)) { row in
                (row.string(0), MemoryShare(agentID: row.string(1), access: MemoryAccess(rawValue: row.string(2)) ?? .read))
            }
        for (contextID, share) in rows { result[contextID, default: []].append(share) }
        return result
    }

    /// The strongest share of a context or any of its ancestors held by `agent`.
    static func shareReaching(_ contextID: String, agent: String, in db: Database) throws -> MemoryAccess? {
        let level = try String.fetchOne(
            db.cachedStatement(
                sql: """
                    WITH RECURSIVE chain(id, parent_id, n) AS (
                        SELECT id, parent_id, 0 FROM memory_context WHERE id = ?
                        UNION ALL SELECT c.id, c.parent_id, chain.n + 1 FROM memory_context c JOIN chain ON c.id = chain.parent_id
                        WHERE chain.n < \(MemoryRules.maxChain))
                    SELECT max(s.access) FROM memory_share s JOIN chain ON s.context_id = chain.id WHERE s.agent_id = ?
                    """),
            arguments: [contextID, agent])
        return level.flatMap(MemoryAccess.init(rawValue:))
    }

    /// An SQL condition (on `c.`) limiting a listing to what `visibility` allows: a principal's
    /// own contexts and those shared with them, with their descendants; nil for everything.
    /// With `writableOnly`, only those the principal may write (its own, and those a write share reaches).
    static func visibleContextsCondition(_ visibility: Visibility, writableOnly: Bool = false) -> (
        sql: String, arguments: [(any DatabaseValueConvertible)?]
    )? {
        switch visibility {
        case .everything:
            return nil
        case .nothing:
            return ("0", [])
        case .reachedBy(let name, _):
            return (
                """
                (c.agent_id = ? OR c.id IN (
                    WITH RECURSIVE shared(id) AS (
                        SELECT context_id FROM memory_share WHERE agent_id = ?\(writableOnly ? " AND access = 'write'" : "")
                        UNION SELECT m.id FROM memory_context m JOIN shared ON m.parent_id = shared.id)
                    SELECT id FROM shared))
                """, [name, name]
            )
        }
    }

    /// An SQL condition on `column` (a context id) that holds when `principal` may read that
    /// context *and every ancestor* — its resolved data, as `MemoryChain.requireReadable`
    /// decides it — and the context is not expired; nil for an admin. It is `AccessRules.
    /// contextAccess` over a line: a context is readable when its agent owns it or a share of
    /// it or an ancestor reaches it, so every context of the line must be the principal's own
    /// or lie at or below a context of the line shared with it.
    static func readableLineCondition(_ principal: Principal, column: String, now: String) -> (
        sql: String, arguments: [(any DatabaseValueConvertible)?]
    )? {
        switch AccessRules.visibleContexts(principal) {
        case .everything:
            return nil
        case .nothing:
            return ("0", [])
        case .reachedBy(let name, _):
            return (
                """
                (\(column) IN (SELECT id FROM memory_context WHERE visible_until IS NULL OR visible_until > ?) AND NOT EXISTS (
                    WITH RECURSIVE line(id, parent_id, agent_id, depth) AS (
                        SELECT id, parent_id, agent_id, depth FROM memory_context WHERE id = \(column)
                        UNION ALL SELECT m.id, m.parent_id, m.agent_id, m.depth FROM memory_context m JOIN line ON m.id = line.parent_id)
                    SELECT 1 FROM line l WHERE l.agent_id <> ? AND NOT EXISTS (
                        SELECT 1 FROM line a JOIN memory_share s ON s.context_id = a.id AND s.agent_id = ? WHERE a.depth <= l.depth)))
                """, [now, name, name]
            )
        }
    }

    /// Attaches their shares to contexts, in one query.
    static func withShares(_ contexts: [MemoryContext], in db: Database) throws -> [MemoryContext] {
        var contexts = contexts
        let shares = try shares(of: contexts.map { $0.id }, in: db)
        for index in contexts.indices { contexts[index].sharedWith = shares[contexts[index].id] ?? [] }
        return contexts
    }

    /// The columns `decode` reads, in its positions; `alias` qualifies them (`c.`).
    static func columns(_ alias: String = "") -> String {
        ["id", "key", "agent_id", "context_type", "data", "parent_id", "tags", "version", "created_at", "updated_at", "expires_at"]
            .map { alias + $0 }.joined(separator: ", ")
    }

    /// Decodes a row that starts with `columns()`, by position (no name lookups per column).
    static func decode(_ row: ColumnRow) throws -> MemoryContext {
        func json(_ index: Int32, _ column: String) throws -> JSONValue {
            do {
                return try JSONValue.parse(row.optionalString(index) ?? "null", maxDepth: 1000)
            } catch {
                throw DryadError.storage("stored \(column) is not valid JSON")
            }
        }
        return MemoryContext(
            id: row.string(0), key: row.optionalString(1), agentID: row.string(2), contextType: row.string(3), data: try json(4, "data"),
            parentID: row.optionalString(5), tags: (try json(6, "tags").arrayValue ?? []).compactMap { $0.stringValue },
            version: row.int(7), createdAt: row.string(8), updatedAt: row.string(9),
            expiresAt: row.optionalString(10), sharedWith: [])
    }

    static func describe(_ conflicts: [JSONMerge.Conflict], id: String, current: Int, base: Int) -> String {
        let parts = conflicts.map { conflict in
            "\(conflict.pointer) (current: \(conflict.theirs?.canonicalText ?? "removed"), yours: \(conflict.ours?.canonicalText ?? "removed"))"
        }
        return "context \(id) changed since version \(base) (now \(current)); conflicting changes at " + parts.joined(separator: "; ")
    }
}

extension DryadDatabase {
    /// Agent memory with the default data cap.
    public var memory: MemoryStore { MemoryStore(database: self, maxDataBytes: limits.memoryMaxBytes) }
}
