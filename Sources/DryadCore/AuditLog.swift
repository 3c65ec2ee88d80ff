import Crypto
import Foundation
import GRDB

/// One audit entry: a permission decision or a change of state, hash-chained to the one before.
public struct AuditEntry: Sendable, Equatable, Encodable {
    public var seq: Int
    public var at: String
    public var principal: String
    /// What was attempted, e.g. `tools.execute`.
    public var action: String
    /// What it was attempted on, e.g. `tool:web_search@1.2.0`.
    public var resource: String
    /// `allow` or `deny`.
    public var decision: String
    /// The rule that decided.
    public var reason: String
    public var requestID: String?
    public var prevHash: String
    /// SHA-256 of `prev_hash` followed by the canonical JSON of the entry's other fields.
    public var hash: String

    enum CodingKeys: String, CodingKey {
        case seq, at, principal, action, resource, decision, reason
        case requestID = "request_id"
        case prevHash = "prev_hash"
        case hash
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(at, forKey: .at)
        try c.encode(principal, forKey: .principal)
        try c.encode(action, forKey: .action)
        try c.encode(resource, forKey: .resource)
        try c.encode(decision, forKey: .decision)
        try c.encode(reason, forKey: .reason)
        try c.encode(requestID, forKey: .requestID)
        try c.encode(prevHash, forKey: .prevHash)
        try c.encode(hash, forKey: .hash)
    }

    /// The canonical JSON that is hashed (every field but the two hashes).
    ///
    /// Written by hand because every request appends an entry; the bytes are exactly those of
    /// `canonicalValue.canonicalText` (keys in sorted order, JSONEncoder's escaping), which a
    /// test checks, so existing chains keep verifying.
    var canonicalBody: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        func field(_ key: String, _ value: String?) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: key.utf8)
            out.append(contentsOf: "\":".utf8)
            if let value { JSONStreamEncoder.appendQuoted(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        field("action", action)
        field("at", at)
        field("decision", decision)
        field("principal", principal)
        field("reason", reason)
        field("request_id", requestID)
        field("resource", resource)
        out.append(contentsOf: ",\"seq\":\(seq)}".utf8)
        return out
    }

    /// The body as a JSON value, the reference `canonicalBody` must match.
    var canonicalValue: JSONValue {
        JSONValue.object([
            "seq": .integer(Int64(seq)), "at": .string(at), "principal": .string(principal), "action": .string(action),
            "resource": .string(resource), "decision": .string(decision), "reason": .string(reason),
            "request_id": requestID.map(JSONValue.string) ?? .null,
        ])
    }

    static func hash(previous: String, body: [UInt8]) -> String {
        // Hex by table: String(format:) per byte was a tenth of the cost of a served read.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        var sha = SHA256()
        sha.update(data: Array(previous.utf8))
        sha.update(data: body)
        for byte in sha.finalize() {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

/// What an audit entry records, before it is chained.
struct AuditDraft: Sendable {
    var principal: String
    var action: String
    var resource: String
    var allowed: Bool
    var reason: String
    var requestID: String?
    var at: String
}

/// Filters for listing the audit trail.
public struct AuditQuery: Sendable, Equatable {
    public var principal: String?
    public var action: String?
    public var decision: String?
    public var resource: String?
    public var since: Date?

    public init(principal: String? = nil, action: String? = nil, decision: String? = nil, resource: String? = nil, since: Date? = nil) {
        self.principal = principal
        self.action = action
        self.decision = decision
        self.resource = resource
        self.since = since
    }
}

/// The result of checking the whole chain.
public struct AuditVerification: Sendable, Equatable, Encodable {
    public var ok: Bool
    public var entries: Int
    /// The first entry that does not match, when not ok.
    public var firstBadSeq: Int?
    public var problem: String?

    enum CodingKeys: String, CodingKey {
        case ok, entries
        case firstBadSeq = "first_bad_seq"
        case problem
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try c.encode(entries, forKey: .entries)
        try c.encode(firstBadSeq, forKey: .firstBadSeq)
        try c.encode(problem, forKey: .problem)
    }
}

/// The tamper-evident audit trail: appended in the same transaction as each change, read,
/// verified, pruned behind a checkpoint and exported.
public struct AuditLog: Sendable {
    static let genesis = String(repeating: "0", count: 64)

    let database: DryadDatabase

    /// Appends one entry, chained to the last; call inside the transaction of the change it records.
    @discardableResult
    static func append(
        principal: String, action: String, resource: String, allowed: Bool, reason: String,
        requestID: String?, at: String, in db: Database
    ) throws -> AuditEntry {
        let draft = AuditDraft(
            principal: principal, action: action, resource: resource, allowed: allowed, reason: reason,
            requestID: requestID, at: at)
        return try insert(draft, after: lastLink(in: db), in: db)
    }

    /// Appends entries in order, each chained to the one before, reading the chain's end once.
    static func append(_ drafts: [AuditDraft], in db: Database) throws {
        var previous = try lastLink(in: db)
        for draft in drafts {
            let entry = try insert(draft, after: previous, in: db)
            previous = (entry.seq, entry.hash)
        }
    }

    /// The sequence number and hash the next entry chains to.
    private static func lastLink(in db: Database) throws -> (seq: Int, hash: String) {
        // Cached statements: every change and every read appends here, so skip re-preparing.
        let link = { (row: ColumnRow) in (seq: row.int(0), hash: row.string(1)) }
        return try db.cachedStatement(sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").decodeFirst(arguments: [], link)
            ?? db.cachedStatement(sql: "SELECT seq, hash FROM audit_checkpoint WHERE id = 1").decodeFirst(arguments: [], link)
            ?? (0, genesis)
    }

    private static func insert(_ draft: AuditDraft, after previous: (seq: Int, hash: String), in db: Database) throws -> AuditEntry {
        var entry = AuditEntry(
            seq: previous.seq + 1, at: draft.at, principal: draft.principal, action: draft.action, resource: draft.resource,
            decision: draft.allowed ? "allow" : "deny", reason: draft.reason, requestID: draft.requestID, prevHash: previous.hash, hash: "")
        entry.hash = AuditEntry.hash(previous: previous.hash, body: entry.canonicalBody)
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
        let page = try page.validated()
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let value = query.principal { conditions.append("principal = ?"); arguments.append(value) }
        if let value = query.action { conditions.append("action = ?"); arguments.append(value) }
        if let value = query.decision {
            guard value == "allow" || value == "deny" else { throw .invalidInput("decision: must be allow or deny") }
            conditions.append("decision = ?")
            arguments.append(value)
        }
        if let value = query.resource { conditions.append("resource = ?"); arguments.append(value) }
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
        return try await database.audited(principal, "audit.list", "audit") { db, _ in
            try Access.requireAdmin(principal, in: db)
            let entries = try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(Self.decode)
            return Page.slice(entries, limit: limit) { [String($0.seq)] }
        }
    }

    /// Recomputes the whole chain from the checkpoint: every link, sequence number and hash.
    public func verify(as principal: Principal) async throws(DryadError) -> AuditVerification {
        try await database.audited(principal, "audit.verify", "audit") { db, _ in
            try Access.requireAdmin(principal, in: db)
            return try Self.verifyChain(in: db)
        }
    }

    /// Walks the chain from the checkpoint, recomputing every hash.
    static func verifyChain(in db: Database) throws -> AuditVerification {
        let checkpoint = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_checkpoint WHERE id = 1")
        var expectedSeq: Int = (checkpoint?["seq"] ?? 0) + 1
        var expectedPrevious: String = checkpoint?["hash"] ?? Self.genesis
        var count = 0
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
            if entry.hash != AuditEntry.hash(previous: entry.prevHash, body: entry.canonicalBody) {
                return AuditVerification(
                    ok: false, entries: count, firstBadSeq: entry.seq,
                    problem: "entry \(entry.seq) was changed after it was written")
            }
            expectedSeq += 1
            expectedPrevious = entry.hash
            count += 1
        }
        return AuditVerification(ok: true, entries: count, firstBadSeq: nil, problem: nil)
    }

    /// Removes entries older than `before`, keeping the rest verifiable from a checkpoint.
    public func prune(before: Date, as principal: Principal) async throws(DryadError) -> Int {
        let cutoff = Timestamp.format(before)
        let now = database.now()
        return try await database.audited(principal, "audit.prune", "audit") { db, _ in
            try Access.requireAdmin(principal, in: db)
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
