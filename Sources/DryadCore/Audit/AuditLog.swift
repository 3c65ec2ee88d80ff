import Crypto
import Foundation
import GRDB

/// The tamper-evident audit trail: appended in the same transaction as each change, read,
/// verified, pruned behind a checkpoint and exported.
public struct AuditLog: Sendable {
    static let genesis = String(repeating: "0", count: 64)

    let database: DryadDatabase

    /// Appends one entry, chained to the last; call inside the transaction of the change it records.
    @discardableResult
    static func append(
        principal: String, action: AuditAction, resource: String, allowed: Bool, reason: String,
        requestID: String?, at: String, keyring: Keyring, in db: Database
    ) throws -> AuditEntry {
        let draft = AuditDraft(
            principal: principal, action: action.rawValue, resource: resource, allowed: allowed, reason: reason,
            requestID: requestID, at: at)
        try keyring.keyIfNeeded(at: at, in: db)
        return try insert(draft, after: lastLink(in: db), keyring: keyring, in: db)
    }

    /// Appends entries in order, each chained to the one before, reading the chain's end once.
    static func append(_ drafts: [AuditDraft], keyring: Keyring, in db: Database) throws {
        guard let first = drafts.first else { return }
        try keyring.keyIfNeeded(at: first.at, in: db)
        var previous = try lastLink(in: db)
        for draft in drafts {
            let entry = try insert(draft, after: previous, keyring: keyring, in: db)
            previous = (entry.seq, entry.hash)
        }
    }

    /// The sequence number and hash the next entry chains to.
    static func lastLink(in db: Database) throws -> (seq: Int, hash: String) {
        // Cached statements: every change and every read appends here, so skip re-preparing.
        let link = { (row: ColumnRow) in (seq: row.int(0), hash: row.string(1)) }
        return try db.cachedStatement(sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").decodeFirst(arguments: [], link)
            ?? db.cachedStatement(sql: "SELECT seq, hash FROM audit_checkpoint WHERE id = 1").decodeFirst(arguments: [], link)
            ?? (0, genesis)
    }

    /// Writes one entry after `previous`; its hash is the HMAC under the audit key (the chain is keyed).
    static func insert(_ draft: AuditDraft, after previous: (seq: Int, hash: String), keyring: Keyring, in db: Database) throws -> AuditEntry {
        var entry = AuditEntry(
            seq: previous.seq + 1, at: draft.at, principal: draft.principal, action: draft.action, resource: draft.resource,
            decision: draft.allowed ? "allow" : "deny", reason: draft.reason, requestID: draft.requestID, prevHash: previous.hash, hash: "")
        entry.hash = try keyring.auditMAC(previous: previous.hash, body: entry.canonicalBody, in: db)
        try db.cachedStatement(
            sql: """
                INSERT INTO audit_log (seq, at, principal, action, resource, decision, reason, request_id, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(binding: [
            .integer(entry.seq), .text(entry.at), .text(entry.principal), .text(entry.action), .text(entry.resource),
            .text(entry.decision), .text(entry.reason), .text(entry.requestID), .text(entry.prevHash), .text(entry.hash),
        ])
        return entry
    }

    /// Entries oldest first, filtered.
    public func list(_ query: AuditQuery, page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError) -> Page<AuditEntry> {
        // `since` stays out of the scope: given as a duration it is another instant on every call.
        let scope = CursorScope("audit.list", [query.principal, query.action, query.decision, query.resource])
        let page = try page.validated(for: scope)
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let value = query.principal { conditions.append("principal = ?"); arguments.append(value) }
        if let value = query.action { conditions.append("action = ?"); arguments.append(value) }
        if let value = query.decision {
            guard value == "allow" || value == "deny" else { throw .invalidInput("decision: must be allow or deny") }
            conditions.append("decision = ?")
            arguments.append(value)
        }
        if let value = query.resource {
            // `tool:NAME` also finds the entries of its versions, `tool:NAME@VERSION`.
            if !value.hasPrefix("tool:") || value.contains("@") {
                conditions.append("resource = ?")
                arguments.append(value)
            } else {
                conditions.append("(resource = ? OR substr(resource, 1, length(?)) = ?)")
                arguments += [value, value + "@", value + "@"]
            }
        }
        if let since = query.since { conditions.append("at >= ?"); arguments.append(Timestamp.format(since)) }
        if let cursor = page.cursor {
            guard let after = Int(try Cursor.decode(cursor, fields: 1)[0]) else { throw .invalidInput("cursor: not a cursor returned by this listing") }
            conditions.append("seq > ?")
            arguments.append(after)
        }
        arguments.append(page.limit + 1)
        let sql = "SELECT * FROM audit_log \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY seq LIMIT ?"
        let statementArguments = StatementArguments(arguments)
        let limit = page.limit
        return try await database.audited(principal, .auditList, "audit") { db, _ in
            let entries = try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(Self.decode)
            return Page.slice(entries, limit: limit) { [String($0.seq)] }.scoped(scope)
        }
    }

    /// Recomputes the whole chain from the checkpoint: every link, sequence number and hash.
    public func verify(as principal: Principal) async throws(DryadError) -> AuditVerification {
        let keyring = database.keyring
        return try await database.audited(principal, .auditVerify, "audit") { db, _ in
            return try Self.verifyChain(in: db, keyring: keyring)
        }
    }

    /// The newest entry's sequence number and hash, for an operator to record elsewhere: with
    /// it, a chain rewritten and re-keyed by someone holding the key too is still caught.
    public func head(as principal: Principal) async throws(DryadError) -> AuditHead {
        try await database.audited(principal, .auditHead, "audit") { db, _ in
            let last = try Self.lastLink(in: db)
            let at = try String.fetchOne(db, sql: "SELECT at FROM audit_log WHERE seq = ?", arguments: [last.seq])
            return AuditHead(seq: last.seq, hash: last.hash, at: at)
        }
    }

    /// Walks the chain from the checkpoint, recomputing every hash: SHA-256 up to the
    /// `audit.keyed` entry (entries written before the chain was keyed), HMAC-SHA256 under the
    /// audit key from there on (from the start when there is no such entry: a chain keyed
    /// from its first entry, or pruned past that entry).
    static func verifyChain(in db: Database, keyring: Keyring) throws -> AuditVerification {
        let checkpoint = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_checkpoint WHERE id = 1")
        var expectedSeq: Int = (checkpoint?["seq"] ?? 0) + 1
        var expectedPrevious: String = checkpoint?["hash"] ?? Self.genesis
        let key = try keyring.auditKeyIfKeyed(in: db)
        let keyedFrom = try Int.fetchOne(db, sql: "SELECT min(seq) FROM audit_log WHERE action = ?", arguments: [AuditAction.auditKeyed.rawValue])
        var count = 0
        var keyedSince: Int?
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
        while let row = try cursor.next() {
            let entry = Self.decode(row)
            if entry.seq != expectedSeq {
                return AuditVerification(
                    ok: false, entries: count, firstBadSeq: entry.seq,
                    problem: "entry \(entry.seq) follows \(expectedSeq - 1): entries are missing or were inserted")
            }
            if entry.prevHash != expectedPrevious {
                return AuditVerification(
                    ok: false, entries: count, firstBadSeq: entry.seq,
                    problem: "entry \(entry.seq) does not link to the entry before it")
            }
            let keyed = key != nil && entry.seq >= (keyedFrom ?? 0)
            if keyed && keyedSince == nil { keyedSince = entry.seq }
            let expected =
                if let key, keyed { Keyring.mac(previous: entry.prevHash, body: entry.canonicalBody, key: key) } else {
                    AuditEntry.hash(previous: entry.prevHash, body: entry.canonicalBody)
                }
            if entry.hash != expected {
                return AuditVerification(
                    ok: false, entries: count, firstBadSeq: entry.seq,
                    problem: "entry \(entry.seq) was changed after it was written")
            }
            expectedSeq += 1
            expectedPrevious = entry.hash
            count += 1
        }
        return AuditVerification(ok: true, entries: count, firstBadSeq: nil, problem: nil, keyedSince: keyedSince)
    }

    /// Removes entries older than `before`, keeping the rest verifiable from a checkpoint.
    public func prune(before: Date, as principal: Principal) async throws(DryadError) -> Int {
        let cutoff = Timestamp.format(before)
        let now = database.now()
        return try await database.audited(principal, .auditPrune, "audit") { db, _ in
            // Prune a prefix of the chain only: up to the last entry older than the cutoff.
            guard
                let last = try Row.fetchOne(
                    db, sql: "SELECT seq, hash FROM audit_log WHERE seq <= (SELECT max(seq) FROM audit_log WHERE at < ?) ORDER BY seq DESC LIMIT 1",
                    arguments: [cutoff])
            else { return 0 }
            let seq: Int = last["seq"]
            try db.execute(sql: "DELETE FROM audit_log WHERE seq <= ?", arguments: [seq])
            let removed = db.changesCount
            try db.execute(
                sql: """
                    INSERT INTO audit_checkpoint (id, seq, hash, pruned_at) VALUES (1, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, pruned_at = excluded.pruned_at
                    """,
                arguments: [seq, last["hash"] as String, now])
            return removed
        }
    }

    static func decode(_ row: Row) -> AuditEntry {
        AuditEntry(
            seq: row["seq"], at: row["at"], principal: row["principal"], action: row["action"], resource: row["resource"],
            decision: row["decision"], reason: row["reason"], requestID: row["request_id"], prevHash: row["prev_hash"],
            hash: row["hash"])
    }
}

extension DryadDatabase {
    /// The audit trail.
    public var audit: AuditLog { AuditLog(database: self) }
}
