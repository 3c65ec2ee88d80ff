import ArgumentParser
import DryadCore
import Foundation

/// A progress counter on stderr, shown only when stderr is a terminal (never in pipes or logs).
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let total: Int?
    private let lock = NSLock()
    private var shown = false

    /// Nil when stderr is not a terminal or the work is too small to be worth a counter.
    init?(label: String, total: Int?, threshold: Int) {
        guard isatty(STDERR_FILENO) == 1, (total ?? Int.max) > threshold else { return nil }
        self.label = label
        self.total = total
    }

    /// `update` as a callback for the core.
    var counter: @Sendable (Int) -> Void { { [self] done in update(done) } }

    func update(_ done: Int) {
        lock.withLock {
            shown = true
            let of = total.map { "/\($0)" } ?? ""
            StandardStream.write("\r\(label): \(done)\(of)", to: STDERR_FILENO)
        }
    }

    /// Ends the counter's line so the next message starts clean.
    func finish() {
        lock.withLock { if shown { StandardStream.write("\n", to: STDERR_FILENO) } }
    }
}
