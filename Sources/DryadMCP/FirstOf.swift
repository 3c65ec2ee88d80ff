import Synchronization

/// The first of several outcomes to arrive, for waits that must end at a deadline even when
/// the work they wait for cannot be interrupted (a task group would wait for every child).
final class FirstOf<Value: Sendable>: Sendable {
    private let waiting = Mutex<CheckedContinuation<Value, Never>?>(nil)

    /// Starts the racers (`start`) and returns the first value any of them settles.
    func wait(_ start: () -> Void) async -> Value {
        await withCheckedContinuation { continuation in
            waiting.withLock { $0 = continuation }
            start()
        }
    }

    /// Settles the wait with `value` unless another racer did first.
    func settle(_ value: Value) {
        waiting.withLock { continuation in
            continuation?.resume(returning: value)
            continuation = nil
        }
    }
}
