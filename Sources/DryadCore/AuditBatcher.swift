import Foundation
import GRDB

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
actor AuditBatcher {
    private struct Pending {
        var principal: String
        var action: String
        var resource: String
        var reason: String
        var requestID: String?
        var at: String
    }

    private var pending: [Pending] = []
    private let pool: DatabasePool
    private var flusher: Task<Void, Never>?

    init(pool: DatabasePool) {
        self.pool = pool
    }

    func start(interval: Duration) {
        guard flusher == nil else { return }
        flusher = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.flush()
            }
        }
    }

    func enqueue(principal: Principal, action: String, resource: String, reason: String, at: String) {
        pending.append(Pending(principal: principal.name, action: action, resource: resource, reason: reason,
                               requestID: principal.requestID, at: at))
    }

    /// Writes everything queued; entries that cannot be written stay queued for the next try.
    func flush() async {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll()
        do {
            try await pool.write { db in
                for entry in batch {
                    try AuditLog.append(principal: entry.principal, action: entry.action, resource: entry.resource, allowed: true,
                                        reason: entry.reason, requestID: entry.requestID, at: entry.at, in: db)
                }
            }
        } catch {
            pending.insert(contentsOf: batch, at: 0)
        }
    }

    /// Stops the background flusher, waits for a write it may have in flight, then writes the rest.
    func stop() async {
        let running = flusher
        flusher = nil
        running?.cancel()
        await running?.value
        await flush()
    }
}
