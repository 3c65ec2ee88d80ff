import Synchronization

/// How many tool runs one process lets go at once, in total and per principal.
///
/// A run holds a process (or a connection), a thread waiting on it and memory for its output
/// until it ends; without a cap, one principal starting runs as fast as the rate limit allows
/// could hold them all. The caps are per process: several `dryad serve` on one database each
/// have their own. A run over a cap is refused at once (`limited`, HTTP 429 with
/// `Retry-After`), never queued, so a caller decides itself when to try again.
final class RunSlots: Sendable {
    let total: Int
    let perPrincipal: Int
    private let running = Mutex<(all: Int, by: [String: Int])>((0, [:]))

    init(total: Int, perPrincipal: Int) {
        self.total = total
        self.perPrincipal = perPrincipal
    }

    /// Runs `body` in a slot of `principal`'s; throws `limited` when none is free.
    func run<T>(for principal: String, _ body: () async throws(DryadError) -> T) async throws(DryadError) -> T {
        let refusal: String? = running.withLock { state in
            if state.all >= total { return "\(total) tool runs are in progress on this server, its limit; try again shortly" }
            if state.by[principal, default: 0] >= perPrincipal {
                return "\(principal) has \(perPrincipal) tool runs in progress, the limit per principal; try again when one ends"
            }
            state.all += 1
            state.by[principal, default: 0] += 1
            return nil
        }
        if let refusal { throw .limited(refusal, retryAfterSeconds: 1) }
        defer {
            running.withLock { state in
                state.all -= 1
                let left = state.by[principal, default: 1] - 1
                state.by[principal] = left == 0 ? nil : left
            }
        }
        return try await body()
    }

    /// Runs in progress for `principal`, or in all when nil.
    func inProgress(for principal: String? = nil) -> Int {
        running.withLock { state in principal.map { state.by[$0, default: 0] } ?? state.all }
    }
}
