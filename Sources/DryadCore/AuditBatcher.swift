import Foundation
import GRDB
import Synchronization

/// How allowed reads reach the audit trail.
public enum ReadAudit: Sendable {
    /// Each read writes its entry before it answers (the CLI).
    case immediate
    /// Reads run concurrently and their entries are written together, a fraction of a second
    /// late but still in the chain (`dryad serve --audit-reads all`).
    case batched(interval: Duration)
    /// Allowed reads are not audited (`--audit-reads none`); denials and changes still are.
    case none
}

/// Collects the entries of allowed reads and appends them in one transaction per interval.
///
/// A lock rather than an actor: queueing an entry is on every read's path, and an actor
/// would cost each read a hop to another executor and back.
final class AuditBatcher: Sendable {
    private struct State {
        var pending: [AuditDraft] = []
        var flusher: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let pool: DatabasePool

    init(pool: DatabasePool) {
        self.pool = pool
    }

    func start(interval: Duration) {
        state.withLock { state in
            guard state.flusher == nil else { return }
            state.flusher = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    await self?.flush()
                }
            }
        }
    }

    func enqueue(principal: Principal, action: String, resource: String, reason: String, at: String) {
        let entry = AuditDraft(principal: principal.name, action: action, resource: resource, allowed: true, reason: reason,
                               requestID: principal.requestID, at: at)
        state.withLock { $0.pending.append(entry) }
    }

    /// Writes everything queued; entries that cannot be written go back to the front of the queue.
    func flush() async {
        let batch = state.withLock { state in
            defer { state.pending.removeAll(keepingCapacity: true) }
            return state.pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await pool.write { db in try AuditLog.append(batch, in: db) }
        } catch {
            state.withLock { $0.pending.insert(contentsOf: batch, at: 0) }
        }
    }

    /// Stops the background flusher, waits for a write it may have in flight, then writes the rest.
    func stop() async {
        let running = state.withLock { state in
            defer { state.flusher = nil }
            return state.flusher
        }
        running?.cancel()
        await running?.value
        await flush()
    }
}
