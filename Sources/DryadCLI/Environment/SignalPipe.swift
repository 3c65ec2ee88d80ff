import Foundation

/// Where the signal handler writes; set once, before the handler is installed.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Turns SIGINT and SIGTERM into a call on a thread of its own, without Dispatch.
///
/// A process-wide handler writes one byte to a pipe (all a handler may safely do) and a
/// dedicated thread reads it. A Dispatch signal source runs its handler on the shared global
/// queue, and a Ctrl-C during a tool run was seen to go unanswered for the whole run; a thread
/// blocked in `read` answers whichever thread the kernel interrupted.
enum SignalPipe {
    /// Installs the handler for `signals`; `react` runs on the reading thread once per signal.
    /// For the life of the process: `tools execute` installs it once, just before its run.
    static func install(_ signals: [Int32], react: @escaping @Sendable () -> Void) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        // Tools must not inherit either end.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        signalPipeWriteEnd = ends[1]
        let readEnd = ends[0]
        // A process inherits its parent's signal mask, and threads their creator's: a dryad
        // started from a thread that blocks these signals (a Dispatch worker blocks them) would
        // never see one. The reading thread, and this one, take them whatever was inherited.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        for signal in signals { sigaddset(&wanted, signal) }
        let unblocked = wanted
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
        let reader = Thread {
            var mask = unblocked
            pthread_sigmask(SIG_UNBLOCK, &mask, nil)
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count > 0 {
                    react()
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        reader.start()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(signalPipeWriteEnd, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for signal in signals { sigaction(signal, &action, nil) }
    }
}
