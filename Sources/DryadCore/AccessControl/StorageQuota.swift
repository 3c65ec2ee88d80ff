import GRDB

/// What a principal may store: bytes of memory (every kept version of the contexts it owns),
/// error logs and sessions. Each has a default and may be set per principal
/// (`principals set-quota`); the usage is counted in the database by triggers (schema v12).
public enum StorageQuota: String, Sendable, CaseIterable, Codable {
    case memoryBytes = "memory_bytes"
    case errorLogs = "error_logs"
    case sessions

    /// 256 MiB of context data, 100,000 error logs and 10,000 sessions: far above what one
    /// agent's honest work stores, far below what fills a disk.
    public var defaultLimit: Int {
        switch self {
        case .memoryBytes: 256 * 1024 * 1024
        case .errorLogs: 100_000
        case .sessions: 10_000
        }
    }

    /// The largest quota that may be set (10^15: beyond any disk, and exact as a JSON number).
    public static let maxLimit = 1_000_000_000_000_000

    /// The words a refusal uses.
    var noun: String {
        switch self {
        case .memoryBytes: "bytes of memory"
        case .errorLogs: "error logs"
        case .sessions: "sessions"
        }
    }

    /// Refuses the write by `writer` (the owner when nil) that has just brought `owner` past
    /// this quota; called inside the write's transaction, after the write, so the refusal rolls
    /// it back. Another writer (a sharee) learns which quota, not the owner's figures.
    func require(_ owner: String, writer: String? = nil, in db: Database) throws {
        let used = try Int.fetchOne(db.cachedStatement(sql: "SELECT \(rawValue) FROM principal_usage WHERE principal = ?"), arguments: [owner]) ?? 0
        let limit = try Self.limit(self, of: owner, in: db)
        guard used > limit else { return }
        guard writer == nil || writer == owner else { throw DryadError.quotaExceeded("\(owner)'s \(rawValue) quota would be exceeded") }
        throw DryadError.quotaExceeded("\(owner) would hold \(used) \(noun), over its \(rawValue) quota of \(limit)")
    }

    /// `owner`'s limit: its own, or the default (also for an owner that is no principal).
    static func limit(_ quota: StorageQuota, of owner: String, in db: Database) throws -> Int {
        let own = try Int?.fetchOne(db.cachedStatement(sql: "SELECT quota_\(quota.rawValue) FROM principal WHERE name = ?"), arguments: [owner])
        return (own ?? nil) ?? quota.defaultLimit
    }
}

/// One quota of a principal: its limit (and whether it is the default) and what it holds.
public struct QuotaUsage: Sendable, Encodable, Equatable {
    public var quota: StorageQuota
    public var limit: Int
    public var isDefault: Bool
    public var used: Int

    enum CodingKeys: String, CodingKey {
        case quota, limit, used
        case isDefault = "default"
    }
}
