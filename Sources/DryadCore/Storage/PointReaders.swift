import Foundation
import GRDB
import Synchronization

/// Read-only connections for bounded lookups (a token's state, one tool, one context) that run
/// on the caller's thread.
///
/// A server handler that awaits GRDB's pool pays two thread switches per read, a fifth of a
/// served read's cost. Running such reads synchronously through GRDB's own reader pool is not
/// safe: an async read releases its pool connection only when its continuation runs, and if
/// every thread that could run it is blocked waiting for a connection, nothing moves. These
/// connections are outside that pool and never waited for: a caller takes an idle one or
/// opens another, so a read here blocks only for its own work.
final class PointReaders: Sendable {
    /// Idle connections kept for reuse; more are closed when returned.
    static let keptIdle = 8

    private let path: String
    private let configuration: Configuration
    private let idle = Mutex<[DatabaseQueue]>([])

    init(path: String, busyTimeout: TimeInterval) {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "dryad.point-read"
        self.configuration = configuration
    }

    /// Runs `body` in a deferred transaction (one snapshot) on an idle or new connection.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? DatabaseQueue(path: path, configuration: configuration)
        defer {
            idle.withLock { idle in
                if idle.count < Self.keptIdle { idle.append(connection) }
            }
        }
        // Nobody else holds this connection, so its queue runs the block on this thread.
        return try connection.inDatabase { db in
            // Cached statements: GRDB's beginTransaction/rollback parse their SQL on every call.
            try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
            defer {
                // Ending a read-only transaction only releases its snapshot.
                if db.isInsideTransaction, (try? db.cachedStatement(sql: "COMMIT TRANSACTION").execute()) == nil {
                    try? db.rollback()
                }
            }
            return try body(db)
        }
    }
}
