import Foundation
import GRDB
import Synchronization

/// Commits concurrent write transactions together: one SQLite transaction and one fsync for
/// every operation that queued while the previous commit was on disk.
///
/// Each operation runs in its own savepoint, so a failing one rolls back alone; every result
/// is handed back only after the shared commit succeeded, so nothing is acknowledged before it
/// is durable (`synchronous=FULL`). With a single caller this is one transaction per write.
final class GroupCommit: Sendable {
    /// One queued operation: runs inside the shared transaction and returns how to answer its caller.
    private struct Pending: Sendable {
        var run: @Sendable (Database) -> Answer
        var fail: @Sendable (any Error) -> Void
    }

    /// Delivers an operation's outcome once the batch's fate is known.
    private struct Answer: Sendable {
        var succeeded: Bool
        var deliver: @Sendable () -> Void
    }

    /// The most operations in one transaction, so one batch cannot hold the write lock for long.
    static let maxBatch = 256

    private let pool: DatabasePool
    private let state = Mutex<(queue: [Pending], draining: Bool)>(([], false))

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in the next group transaction; returns once that transaction committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let pending = Pending(
                run: { db in
                    do {
                        var result: T?
                        try db.inSavepoint {
                            result = try body(db)
                            return .commit
                        }
                        guard let result else { throw DryadError.storage("a write produced no result") }
                        return Answer(succeeded: true) { continuation.resume(returning: result) }
                    } catch {
                        return Answer(succeeded: false) { continuation.resume(throwing: error) }
                    }
                },
                fail: { error in continuation.resume(throwing: error) })
            let startDrain = state.withLock { state in
                state.queue.append(pending)
                if state.draining { return false }
                state.draining = true
                return true
            }
            if startDrain { Task.detached { await self.drain() } }
        }
    }

    /// Commits batches until the queue is empty.
    private func drain() async {
        while true {
            let batch: [Pending] = state.withLock { state in
                let batch = Array(state.queue.prefix(Self.maxBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let answers = Mutex<[Answer]>([])
            do {
                try await pool.write { db in
                    for pending in batch {
                        let answer = pending.run(db)
                        answers.withLock { $0.append(answer) }
                    }
                }
                for answer in answers.withLock({ $0 }) { answer.deliver() }
            } catch {
                // The commit failed, so nothing in the batch is durable: operations that failed on
                // their own keep their error, the others hear why the commit failed.
                let answered = answers.withLock { $0 }
                for (index, pending) in batch.enumerated() {
                    if index < answered.count, !answered[index].succeeded {
                        answered[index].deliver()
                    } else {
                        pending.fail(error)
                    }
                }
            }
        }
    }
}
