import Foundation

/// What a finished (or stopped) process produced.
struct ProcessResult: Sendable {
    /// How the process ended.
    enum Ending: Sendable, Equatable {
        case exited(Int)
        case signaled(Int)
        case timedOut
        case outputTooLarge(stream: String, limit: Int)
        /// The caller's task was cancelled (dryad interrupted); the group was torn down.
        case cancelled
    }

    var ending: Ending
    var stdout: Data
    var stderr: Data
}
