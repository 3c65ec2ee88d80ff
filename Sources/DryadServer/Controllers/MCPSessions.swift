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
            for (id, entry) in entries where now.timeIntervalSince(entry.lastUsed) > Self.idleLimit {
                entry.stream?.cancel()
                entries[id] = nil
            }
            let held = entries.values.filter { $0.session.principal.name == session.principal.name }.count
            guard entries.count < Self.maxSessions, held < Self.maxPerPrincipal else { return false }
            entries[session.id] = Entry(session: session, lastUsed: now)
            return true
        }
    }

    /// The session with `id`, marked used.
    func session(_ id: String) -> MCPSession? {
        entries.withLock { entries in
            entries[id]?.lastUsed = Date()
            return entries[id]?.session
        }
    }

    /// Gives a session its GET stream; false when it has one already.
    func attach(_ id: String, stream: Task<Void, Never>) -> Bool {
        entries.withLock { entries in
            guard entries[id] != nil, entries[id]?.stream == nil else { return false }
            entries[id]?.stream = stream
            return true
        }
    }

    /// Forgets the GET stream (it ended).
    func detach(_ id: String) {
        entries.withLock { $0[id]?.stream = nil }
    }

    /// Ends a session: its stream closes; requests still running finish.
    func remove(_ id: String) {
        let entry = entries.withLock { $0.removeValue(forKey: id) }
        entry?.stream?.cancel()
    }
}
