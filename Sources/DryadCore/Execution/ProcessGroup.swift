import Foundation
import Synchronization

/// The process group of one run, so it can be signalled from the timeout and overflow paths.
final class ProcessGroup: Sendable {
    private let leader = Mutex<pid_t?>(nil)

    func adopt(_ pid: pid_t) {
        leader.withLock { $0 = pid }
    }

    /// Signals every process in the group; harmless once they are all gone.
    func signal(_ signal: Int32) {
        if let pid = leader.withLock({ $0 }), pid > 0 {
            kill(-pid, signal)
        }
    }
}
