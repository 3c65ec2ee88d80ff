import DryadCore
import DryadMCP
import Foundation
import Synchronization

/// The open MCP sessions of `/mcp`, each bound to the principal whose token opened it.
///
/// Bounded: at most `maxSessions` in all and `maxPerPrincipal` per principal; a session unused
/// for `idleLimit` is closed when room is needed or the next one opens, so abandoned sessions
/// (a host that never sends DELETE) cannot pile up.
final class MCPSessions: Sendable {
    static let maxSessions = 1000
    static let maxPerPrincipal = 64
    static let idleLimit: TimeInterval = 30 * 60

    struct Entry: Sendable {
        let session: MCPSession
        var lastUsed: Date
        /// The GET stream's watcher and message feed, while one is open.
        var stream: Task<Void, Never>?
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Adds an initialized session; nil when the principal already holds `maxPerPrincipal`
    /// or the server `maxSessions` after idle ones are closed.
    func add(_ session: MCPSession) -> Bool {
        let now = Date()
        return entries.withLock { entries in
            // A session with an open stream is in use, however long since its last request.
            for (id, entry) in entries where entry.stream == nil && now.timeIntervalSince(entry.lastUsed) > Self.idleLimit {
                entry.stream?.cancel()
                entries[id] = nil
            }
            let held = entries.values.filter { $0.session.principal.name == session.principal.name }.count
            guard entries.count < Self.maxSessions, held < Self.maxPerPrincipal else { return false }
            entries[session.id] = Entry(session: session, lastUsed: now)
            return true
        }
    }

    /// The session with `id` (not marked used: a refused request does not keep it alive).
    func session(_ id: String) -> MCPSession? {
        entries.withLock { $0[id]?.session }
    }

    /// Marks a session used by an accepted request.
    func touch(_ id: String) {
        entries.withLock { $0[id]?.lastUsed = Date() }
    }

    /// Gives a session its GET stream, ending the one it had.
    func attach(_ id: String, stream: Task<Void, Never>) {
        let previous = entries.withLock { entries -> Task<Void, Never>? in
            guard entries[id] != nil else { return nil }
            defer { entries[id]?.stream = stream }
            return entries[id]?.stream
        }
        previous?.cancel()
    }

    /// Forgets a GET stream that ended, unless a newer one took its place.
    func detach(_ id: String, stream: Task<Void, Never>) {
        entries.withLock { entries in
            if entries[id]?.stream == stream { entries[id]?.stream = nil }
        }
    }

    /// Ends a session: its stream closes; requests still running finish.
    func remove(_ id: String) {
        let entry = entries.withLock { $0.removeValue(forKey: id) }
        entry?.stream?.cancel()
    }
}
