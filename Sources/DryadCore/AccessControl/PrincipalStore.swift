import Foundation
import GRDB

/// Manages principals (admins only) and resolves who is acting.
public struct PrincipalStore: Sendable {
    let database: DryadDatabase

    /// Names the system uses itself: `anonymous` signs failed token checks in the trail, and
    /// `.`/`..` are path segments a URL client rewrites (`/shares/..` would address the context).
    public static let reservedNames: Set<String> = ["anonymous", ".", ".."]

    static func isValidName(_ name: String) -> Bool {
        !name.hasPrefix("local:") && !reservedNames.contains(name) && NameRule.principalName.accepts(name)
    }

    /// The refusal for a name `isValidName` rejects.
    static func invalidName(_ name: String) -> DryadError {
        .invalidInput(
            "name: \"\(ToolRules.printable(name))\" must be \(NameRule.principalName.summary), not start with local: and not be anonymous, . or .."
        )
    }

    public func add(_ name: String, type: Principal.Kind, role: Principal.Role, as principal: Principal) async throws(DryadError) -> PrincipalRecord {
        guard Self.isValidName(name) else { throw Self.invalidName(name) }
        let now = database.now()
        return try await database.audited(principal, .principalsAdd, "principal:\(name)") { db, _ in
            if try Self.fetchOptional(name, in: db) != nil { throw DryadError.conflict("principal \(name) already exists") }
            try db.execute(
                sql: "INSERT INTO principal (name, type, role, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, type.rawValue, role.rawValue, now])
            return try Self.fetch(name, in: db)
        }
    }

    public func list(as principal: Principal) async throws(DryadError) -> [PrincipalRecord] {
        try await database.audited(principal, .principalsList, "principals") { db, _ in
            return try Row.fetchAll(db, sql: "SELECT * FROM principal ORDER BY name").map(Self.decode)
        }
    }

    public func show(_ name: String, as principal: Principal) async throws(DryadError) -> PrincipalRecord {
        try await database.audited(principal, .principalsShow, "principal:\(name)") { db, _ in
            return try Self.fetch(name, in: db)
        }
    }

    /// Disables a principal: its tokens stop working and `--as` refuses it.
    public func disable(_ name: String, as principal: Principal) async throws(DryadError) -> PrincipalRecord {
        try await database.audited(principal, .principalsDisable, "principal:\(name)") { db, _ in
            _ = try Self.fetch(name, in: db)
            try db.execute(sql: "UPDATE principal SET disabled = 1 WHERE name = ?", arguments: [name])
            return try Self.fetch(name, in: db)
        }
    }

    /// Enables a disabled principal: its unexpired, unrevoked tokens work again.
    public func enable(_ name: String, as principal: Principal) async throws(DryadError) -> PrincipalRecord {
        try await database.audited(principal, .principalsEnable, "principal:\(name)") { db, _ in
            _ = try Self.fetch(name, in: db)
            try db.execute(sql: "UPDATE principal SET disabled = 0 WHERE name = ?", arguments: [name])
            return try Self.fetch(name, in: db)
        }
    }

    /// Makes a principal an admin or a member; its tokens carry the new role from their next use.
    public func setRole(_ name: String, _ role: Principal.Role, as principal: Principal) async throws(DryadError) -> PrincipalRecord {
        try await database.audited(principal, .principalsSetRole, "principal:\(name)") { db, note in
            let before = try Self.fetch(name, in: db)
            note.reason = "\(before.role.rawValue) -> \(role.rawValue)"
            try db.execute(sql: "UPDATE principal SET role = ? WHERE name = ?", arguments: [role.rawValue, name])
            return try Self.fetch(name, in: db)
        }
    }

    /// Removes a principal with its grants and tokens.
    public func remove(_ name: String, as principal: Principal) async throws(DryadError) -> PrincipalRecord {
        try await database.audited(principal, .principalsRemove, "principal:\(name)") { db, _ in
            let record = try Self.fetch(name, in: db)
            try db.execute(sql: "DELETE FROM principal WHERE name = ?", arguments: [name])
            return record
        }
    }

    /// Sets a principal's rate limit for `dryad serve`.
    public func setLimit(_ name: String, rate: Double, burst: Int, as principal: Principal) async throws(DryadError) -> PrincipalRecord {
        _ = try RateLimit.checked(rate: rate, burst: Double(burst))
        return try await database.audited(principal, .principalsSetLimit, "principal:\(name)") { db, _ in
            _ = try Self.fetch(name, in: db)
            try db.execute(sql: "UPDATE principal SET rate = ?, burst = ? WHERE name = ?", arguments: [rate, burst, name])
            return try Self.fetch(name, in: db)
        }
    }

    /// A principal's storage quotas with what it holds now.
    public func quotas(_ name: String, as principal: Principal) async throws(DryadError) -> [QuotaUsage] {
        try await database.audited(principal, .principalsShow, "principal:\(name)") { db, _ in
            _ = try Self.fetch(name, in: db)
            return try Self.usage(of: name, in: db)
        }
    }

    /// Sets some of a principal's storage quotas: a number, or nil for the default. Lowering a
    /// quota below what the principal holds keeps what it holds and refuses its next write.
    public func setQuotas(_ name: String, _ limits: [StorageQuota: Int?], as principal: Principal) async throws(DryadError) -> [QuotaUsage] {
        for case (let quota, let limit?) in limits where !(0...StorageQuota.maxLimit).contains(limit) {
            throw .invalidInput("\(quota.rawValue): must be from 0 to \(StorageQuota.maxLimit)")
        }
        return try await database.audited(principal, .principalsSetQuota, "principal:\(name)") { db, _ in
            _ = try Self.fetch(name, in: db)
            for (quota, limit) in limits.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try db.execute(sql: "UPDATE principal SET quota_\(quota.rawValue) = ? WHERE name = ?", arguments: [limit, name])
            }
            return try Self.usage(of: name, in: db)
        }
    }

    static func usage(of name: String, in db: Database) throws -> [QuotaUsage] {
        let used = try Row.fetchOne(db, sql: "SELECT * FROM principal_usage WHERE principal = ?", arguments: [name])
        let own = try Row.fetchOne(db, sql: "SELECT quota_memory_bytes, quota_error_logs, quota_sessions FROM principal WHERE name = ?", arguments: [name])
        return StorageQuota.allCases.map { quota in
            let limit: Int? = own?["quota_\(quota.rawValue)"]
            return QuotaUsage(quota: quota, limit: limit ?? quota.defaultLimit, isDefault: limit == nil, used: used?[quota.rawValue] ?? 0)
        }
    }

    /// The identity `--as NAME` acts as; an unknown or disabled principal is refused (and audited).
    public func acting(as name: String, requestID: String?) async throws(DryadError) -> Principal {
        let record = try await database.read { db in try Self.fetchOptional(name, in: db) }
        guard let record, !record.disabled else {
            let claimed = Principal(name: name, kind: .user, role: .member, requestID: requestID)
            try await database.recordDenial(claimed, .authAs, "principal:\(name)", reason: record == nil ? "unknown principal" : "principal disabled")
            throw .permissionDenied("principal \(name) does not exist or is disabled")
        }
        return record.principal(requestID: requestID)
    }

    static func fetchOptional(_ name: String, in db: Database) throws -> PrincipalRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM principal WHERE name = ?"), arguments: [name]).map(decode)
    }

    static func fetch(_ name: String, in db: Database) throws -> PrincipalRecord {
        guard let record = try fetchOptional(name, in: db) else { throw DryadError.notFound("principal \(name) not found") }
        return record
    }

    static func decode(_ row: Row) -> PrincipalRecord {
        PrincipalRecord(
            name: row["name"], type: Principal.Kind(rawValue: row["type"]) ?? .user, role: Principal.Role(rawValue: row["role"]) ?? .member,
            disabled: row["disabled"], rate: row["rate"], burst: row["burst"], createdAt: row["created_at"])
    }
}

extension DryadDatabase {
    /// Principals.
    public var principals: PrincipalStore { PrincipalStore(database: self) }
}

extension DryadDatabase {
    /// Audits a request refused by the rate limiter.
    public func recordRateLimit(_ principal: Principal, resource: String) async throws(DryadError) {
        try await recordDenial(principal, .serveRequest, resource, reason: "rate_limited")
    }
}
