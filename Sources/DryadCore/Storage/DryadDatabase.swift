import CSQLiteSettings
import CoreMetrics
import Foundation
import GRDB
import Synchronization

/// Owns the SQLite file: opens it with dryad's durability settings, migrates it, and runs
/// every operation as a named transaction. Nothing outside the core sees SQL.
public final class DryadDatabase: Sendable {
    /// The schema version this build writes; stored in `PRAGMA user_version`.
    public static let schemaVersion = Migrations.all.count
    /// Marks the file as dryad's (`PRAGMA application_id`, "DRYD").
    static let applicationID = 0x4452_5944

    public let path: String
    let pool: DatabasePool
    let clock: @Sendable () -> Date
    let readAudit: ReadAudit
    /// Size and lifetime caps every operation on this handle applies.
    public let limits: Limits
    let batcher: AuditBatcher
    /// Every write transaction goes through it, so concurrent writers share commits.
    let committer: GroupCommit
    /// The key-encryption key and what it seals (signing keys, the audit chain's key).
    public let keyring: Keyring
    /// Connections for lookups run on the caller's thread.
    let pointReaders: PointReaders
    /// Verified token signatures, shared by every request of a server.
    let verifiedTokens = VerifiedTokenCache()
    /// Answers of repeated listings, searches and resolved contexts (a server's); nil when off.
    let readCache: ReadCache?
    /// The tool runs this process lets go at once (`Limits.maxRuns`).
    let runSlots: RunSlots
    /// What the caller should tell its user about the file, found when it was opened (a
    /// database that others may read); the core never prints them.
    public let warnings: [String]

    /// Opens (creating if needed) the database at `path`.
    ///
    /// - Parameter busyTimeout: how long a write waits for another process's write.
    /// - Parameter readAudit: how allowed reads are audited (immediately for the CLI, batched for the server).
    /// - Parameter readCacheBytes: room for cached answers (`ReadCache`); 0 turns it off. Used only
    ///   when reads are not audited one by one, as a hit writes no transaction of its own.
    /// - Parameter metrics: where the core's counts go (a server's Prometheus registry); none by default.
    /// - Parameter keyFile: the key-encryption key's file; nil: `dryad.key` in the database's folder.
    public init(
        path: String, busyTimeout: TimeInterval = 10, readAudit: ReadAudit = .immediate, readCacheBytes: Int = 0, limits: Limits = Limits(),
        clock: @escaping @Sendable () -> Date = { Date() }, metrics: any MetricsFactory = NOOPMetricsHandler.instance, keyFile: String? = nil
    ) throws(DryadError) {
        _ = Self.sqliteSettings
        self.path = path
        self.keyring = Keyring(path: keyFile ?? KeyFile.defaultPath(for: path))
        self.readCache = readCacheBytes > 0 ? ReadCache(capacity: readCacheBytes, metrics: metrics) : nil
        self.clock = clock
        self.readAudit = readAudit
        self.limits = limits
        self.runSlots = RunSlots(total: limits.maxRuns, perPrincipal: limits.maxRunsPerPrincipal)
        try Self.createFileIfMissing(path)
        warnings = Self.modeWarnings(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "dryad"
        // GRDB's default (user-initiated) runs its queues above normal priority, so a server's
        // batched audit write preempted the event loops that answer requests; utility runs
        // them below (p99 of a served read at 16 connections: 5.8-6.2 ms before, 4.3-4.8 after).
        configuration.qos = .utility
        // GRDB switches the file to WAL right after this runs on the writer: refuse someone
        // else's SQLite file first, so it is left exactly as it was.
        let writerSaw = IdentityBox()
        configuration.prepareDatabase { db in
            guard !db.configuration.readonly else { return }
            let identity = try Self.identity(db)
            writerSaw.value.withLock { $0 = identity }
            guard
                identity.applicationID == Self.applicationID
                    || (identity.applicationID == 0 && identity.userVersion == 0 && identity.objectCount == 0)
            else { throw DryadError.invalidInput("\(path) is not a dryad database") }
        }
        do {
            pool = try Self.openPool(path: path, configuration: configuration, patience: busyTimeout)
        } catch {
            throw Self.map(error, path: path, opening: true)
        }
        pointReaders = PointReaders(path: path, busyTimeout: busyTimeout)
        let capacity = if case .batched(_, let capacity) = readAudit { capacity } else { ReadAudit.defaultCapacity }
        batcher = AuditBatcher(pool: pool, keyring: keyring, capacity: capacity)
        committer = GroupCommit(pool: pool)
        do {
            // GRDB picks synchronous=NORMAL for WAL; an acknowledged write must survive power loss.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            // The writer has read the identity already: no reader connection opens at start-up.
            try migrateIfNeeded(known: writerSaw.value.withLock { $0 })
            if readCache != nil { try restoreReadGenerationMarkersIfMissing() }
        } catch {
            throw Self.map(error, path: path, opening: true)
        }
    }

    /// Starts writing batched read audits in the background (servers call this once).
    public func startAuditBatching() async {
        if case .batched(let interval, _) = readAudit { batcher.start(interval: interval) }
    }

    /// Writes queued read audits now; call before shutting down.
    public func flushAudit() async {
        await batcher.stop()
    }

    // MARK: - Opening

    /// Process-wide SQLite settings, applied once before the first connection opens.
    private static let sqliteSettings: Void = {
        _ = dryad_sqlite_disable_memory_statistics()
    }()

    private static func createFileIfMissing(_ path: String) throws(DryadError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .storage("cannot create folder \(directory): \(error.localizedDescription)")
        }
        // O_EXCL makes two processes racing to create the file harmless; 0600 keeps it private.
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd >= 0 {
            close(fd)
        } else if errno != EEXIST {
            throw .storage("cannot create \(path): \(String(cString: strerror(errno)))")
        } else {
            // An existing empty file is one dryad initialises now (schema, signing keys): it is
            // made private first, whatever mode it was created with (`touch` gives 0644).
            var status = stat()
            if stat(path, &status) == 0, status.st_size == 0, (status.st_mode & S_IFMT) == S_IFREG {
                chmod(path, 0o600)
            }
        }
    }

    /// A warning when the database file may be read by its group or others: it holds the
    /// audit trail, every tool's history and the sealed signing keys. Not refused, since an
    /// operator may share it on purpose (a group of admins), but said on every open.
    static func modeWarnings(_ path: String) -> [String] {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return [] }
        let mode = String(status.st_mode & 0o777, radix: 8)
        return ["the database \(path) has mode \(mode): its group or others can read or write it; make it private with chmod 600"]
    }

    /// Opens the pool, retrying while another process is switching a new file to WAL: SQLite
    /// answers `PRAGMA journal_mode = WAL` with SQLITE_BUSY without calling the busy handler.
    private static func openPool(path: String, configuration: Configuration, patience: TimeInterval) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(patience)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                usleep(useconds_t.random(in: 5_000...25_000))
            }
        }
    }

    /// Whose file this is: its application id, schema version and number of schema objects.
    typealias Identity = (applicationID: Int, userVersion: Int, objectCount: Int)

    /// What the writer connection found when it opened, handed from its setup to `init`.
    private final class IdentityBox: Sendable {
        let value = Mutex<Identity?>(nil)
    }

    /// Reads the identity of the file `db` is open on.
    private static func identity(_ db: Database) throws -> Identity {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT (SELECT application_id FROM pragma_application_id()),
                       (SELECT user_version FROM pragma_user_version()),
                       (SELECT count(*) FROM sqlite_master WHERE tbl_name NOT LIKE 'grdb!_%' ESCAPE '!')
                """)
        return (row?[0] as Int? ?? 0, row?[1] as Int? ?? 0, row?[2] as Int? ?? 0)
    }

    /// Reads one pair of pragmas when the schema is current; migrates otherwise.
    /// (The writer's `prepareDatabase` has already refused files that are not dryad's, and
    /// passes what it read as `known`.)
    private func migrateIfNeeded(known: Identity?) throws {
        let (applicationID, userVersion, _) = try known ?? pool.read(Self.identity)
        if applicationID == Self.applicationID && userVersion == Self.schemaVersion { return }
        if userVersion > Self.schemaVersion {
            throw DryadError.schemaTooNew(found: userVersion, supported: Self.schemaVersion)
        }
        do {
            try Migrations.migrator.migrate(pool)
        } catch {
            // Another process may have migrated the file between our read and our write.
            let now = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
            if now != Self.schemaVersion { throw error }
        }
    }

    /// A server's cache is only as fresh as the triggers that mark changes: put back any that
    /// were dropped by hand before the first answer is kept. Checked on the writer's connection,
    /// like the migration check, so start-up still opens no reader; a transaction only when
    /// something is missing.
    private func restoreReadGenerationMarkersIfMissing() throws {
        try pool.writeWithoutTransaction { db in
            guard try !Migrations.missingReadGenerationMarkers(db).isEmpty else { return }
            try db.inTransaction {
                try Migrations.restoreReadGenerationMarkers(db)
                return .commit
            }
        }
    }

    // MARK: - Transactions

    /// Runs `body` in a write transaction (shared with concurrent writers, see `GroupCommit`);
    /// errors come back as `DryadError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(DryadError) -> T {
        do {
            return try await committer.write(body)
        } catch {
            throw Self.map(error, path: path)
        }
    }

    /// Runs `body` against a consistent snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(DryadError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.map(error, path: path)
        }
    }

    /// Runs a short `body` (a lookup by key) against a snapshot on the caller's thread; errors as `read`.
    func readNow<T>(_ body: (Database) throws -> T) throws(DryadError) -> T {
        do {
            return try pointReaders.read(body)
        } catch {
            throw Self.map(error, path: path)
        }
    }

    /// The current time as dryad stores it.
    func now() -> String { Timestamp.format(clock()) }

    /// Turns storage errors into the one-line errors users see; never leaks SQL.
    ///
    /// - Parameter opening: a file that is not a database (or is damaged) while opening is the
    ///   caller's bad input; found later it is a storage failure of the running program.
    static func map(_ error: any Error, path: String, opening: Bool = false) -> DryadError {
        if let error = error as? DryadError { return error }
        guard let error = error as? DatabaseError else {
            return .storage("\(path): \(error.localizedDescription)")
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .busy("the database is busy (another dryad is writing); try again")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            if opening { return .invalidInput("\(path) is not a dryad database (or it is damaged)") }
            return .storage("\(path) is damaged (SQLite reports corruption); see dryad db check")
        case .SQLITE_READONLY:
            return .storage("\(path) is read-only")
        case .SQLITE_FULL:
            return .storage("the disk holding \(path) is full; nothing was written")
        case .SQLITE_CANTOPEN:
            return .storage("cannot open \(path)")
        case .SQLITE_PERM, .SQLITE_AUTH:
            return .storage("permission denied for \(path)")
        case .SQLITE_CONSTRAINT:
            return .conflict("the change conflicts with existing data")
        case .SQLITE_IOERR:
            // SQLite reports a WAL append that hit ENOSPC as a plain write error.
            return .storage(isDiskFull(under: path) ? "the disk holding \(path) is full; nothing was written" : "I/O error on \(path)")
        default:
            return .storage("database error on \(path) (SQLite code \(error.resultCode.rawValue))")
        }
    }
}

extension DryadDatabase {
    /// Whether the file system holding `path` has (almost) no space left for unprivileged writes.
    static func isDiskFull(under path: String) -> Bool {
        var info = statvfs()
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard statvfs(folder, &info) == 0 else { return false }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize) < 1 << 20
    }

    /// True when the database answers a trivial query (for readiness probes).
    public func isReady() async -> Bool {
        (try? await read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}

extension DryadDatabase {
    /// Caps an operator may lower or raise for a whole process (`DRYAD_MEMORY_MAX_BYTES`,
    /// `DRYAD_TOKEN_MAX_TTL`); every command and the server apply the same ones.
    public struct Limits: Sendable, Equatable {
        /// The largest memory context data accepted, as canonical JSON bytes.
        public var memoryMaxBytes: Int
        /// The longest token lifetime `tokens issue` grants.
        public var tokenMaxTTL: TimeInterval
        /// Tool runs in progress at once in this process, in all (`RunSlots`).
        public var maxRuns: Int
        /// Tool runs in progress at once in this process for one principal.
        public var maxRunsPerPrincipal: Int

        public static let defaultMaxRuns = 64
        public static let defaultMaxRunsPerPrincipal = 8

        public init(
            memoryMaxBytes: Int = MemoryStore.defaultMaxDataBytes, tokenMaxTTL: TimeInterval = TokenService.defaultMaxTTL,
            maxRuns: Int = defaultMaxRuns, maxRunsPerPrincipal: Int = defaultMaxRunsPerPrincipal
        ) {
            self.memoryMaxBytes = memoryMaxBytes
            self.tokenMaxTTL = tokenMaxTTL
            self.maxRuns = maxRuns
            self.maxRunsPerPrincipal = maxRunsPerPrincipal
        }
    }
}

extension DryadDatabase {
    /// dryad's own files, which no contained tool may reach: the database's folder (holding
    /// the file, its -wal and -shm, and by default the key file and backups beside it).
    var ownFiles: [String] {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return [folder, path, path + "-wal", path + "-shm"]
    }
}
