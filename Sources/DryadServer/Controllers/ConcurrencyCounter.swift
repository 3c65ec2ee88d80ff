import Synchronization

/// Counts what each principal holds open at once (MCP subscriptions) against a limit.
final class ConcurrencyCounter: Sendable {
    let limit: Int
    private let held = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes one for `name`; false when it already holds `limit`.
    func enter(_ name: String) -> Bool {
        held.withLock { held in
            guard held[name, default: 0] < limit else { return false }
            held[name, default: 0] += 1
            return true
        }
    }

    /// Gives one back.
    func leave(_ name: String) {
        held.withLock { held in
            let left = held[name, default: 1] - 1
            held[name] = left > 0 ? left : nil
        }
    }
}
