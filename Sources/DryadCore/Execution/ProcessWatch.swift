import CSandbox
import Foundation
import Synchronization

/// Starts one program and watches it to the end on the calling (dedicated) thread: collects
/// stdout and stderr up to their limits, enforces the timeout (SIGTERM, then SIGKILL after the
/// grace period), and when the program ends, kills everything it left behind.
final class ProcessWatch: Sendable {
    private let launch: ProgramLaunch
    private let inputFD: Int32
    private let stdoutLimit: Int
    private let stderrLimit: Int
    private let timeout: Duration
    private let grace: Duration
    /// Written by `cancel()`, read by the watching thread's `poll`; nil once the run is over,
    /// so a late cancel never writes to a descriptor number that has been reused.
    private let cancelPipe: Mutex<(read: Int32, write: Int32)?>

    init(launch: ProgramLaunch, inputFD: Int32, stdoutLimit: Int, stderrLimit: Int, timeout: Duration, grace: Duration) throws(DryadError) {
        self.launch = launch
        self.inputFD = inputFD
        self.stdoutLimit = stdoutLimit
        self.stderrLimit = stderrLimit
        self.timeout = timeout
        self.grace = grace
        var fds: [Int32] = [-1, -1]
        guard dryad_pipe(&fds) == 0 else { throw .toolFailed("cannot create a pipe: \(String(cString: strerror(errno)))") }
        cancelPipe = Mutex((fds[0], fds[1]))
    }

    /// Asks the watching thread to kill the run (the caller's task was cancelled).
    func cancel() {
        cancelPipe.withLock { pipe in
            if let pipe { _ = write(pipe.write, "x", 1) }
        }
    }

    /// Starts the program and returns how it ended; an error only when it could not start.
    func run() -> Result<ProcessResult, DryadError> {
        defer {
            cancelPipe.withLock { pipe in
                if let open = pipe {
                    close(open.read)
                    close(open.write)
                }
                pipe = nil
            }
        }
        guard let cancelRead = cancelPipe.withLock({ $0?.read }) else { return .failure(.toolFailed("the run was closed")) }
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard dryad_pipe(&out) == 0 else { return .failure(.toolFailed("cannot create a pipe: \(String(cString: strerror(errno)))")) }
        guard dryad_pipe(&err) == 0 else {
            close(out[0])
            close(out[1])
            return .failure(.toolFailed("cannot create a pipe: \(String(cString: strerror(errno)))"))
        }
        let spawned = launch.spawn(stdin: inputFD, stdout: out[1], stderr: err[1])
        close(out[1])
        close(err[1])
        switch spawned {
        case .failure(let error):
            close(out[0])
            close(err[0])
            return .failure(error)
        case .success(let process):
            defer { close(process.pidfd) }
            return .success(watch(pid: process.pid, pidfd: process.pidfd, stdout: out[0], stderr: err[0], cancel: cancelRead))
        }
    }

    // MARK: - Watching

    /// One output pipe being read.
    private struct Stream {
        let name: String
        var fd: Int32
        let limit: Int
        var data = Data()
        var overflowed = false
    }

    private func watch(pid: pid_t, pidfd: Int32, stdout: Int32, stderr: Int32, cancel: Int32) -> ProcessResult {
        var streams = [Stream(name: "stdout", fd: stdout, limit: stdoutLimit), Stream(name: "stderr", fd: stderr, limit: stderrLimit)]
        defer { for stream in streams where stream.fd >= 0 { close(stream.fd) } }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var killAt: ContinuousClock.Instant?
        var drainUntil: ContinuousClock.Instant?
        var ending: ProcessResult.Ending?
        var exit: (kind: Int32, code: Int32)?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        while true {
            let now = clock.now
            if exit != nil && (streams.allSatisfy { $0.fd < 0 } || now >= drainUntil!) { break }
            if exit == nil {
                if killAt == nil && now >= deadline {
                    if ending == nil { ending = .timedOut }
                    signalAll(pid, SIGTERM)
                    killAt = now + grace
                } else if let at = killAt, now >= at {
                    killAll(pid)
                    killAt = now + .seconds(3600)
                }
            }
            let wake = exit != nil ? drainUntil! : (killAt ?? deadline)
            var fds = streams.filter { $0.fd >= 0 }.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if exit == nil { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            fds.append(pollfd(fd: cancel, events: Int16(POLLIN), revents: 0))
            let milliseconds = max(0, min(Int64(Int32.max), Int64((wake - now) / .milliseconds(1)) + 1))
            let ready = poll(&fds, nfds_t(fds.count), Int32(milliseconds))
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            for polled in fds where polled.revents != 0 {
                if polled.fd == cancel {
                    if ending == nil { ending = .cancelled }
                    killAll(pid)
                    var byte: UInt8 = 0
                    _ = Glibc.read(cancel, &byte, 1)
                } else if polled.fd == pidfd {
                    // Everything the tool started goes with it, then the pipes can close.
                    killAll(pid)
                    var kind: Int32 = 0
                    var code: Int32 = 0
                    dryad_reap(pid, &kind, &code)
                    exit = (kind, code)
                    drainUntil = clock.now + .seconds(1)
                } else if let index = streams.firstIndex(where: { $0.fd == polled.fd }) {
                    if read(into: &streams[index], buffer: &buffer) {
                        if ending == nil { ending = .outputTooLarge(stream: streams[index].name, limit: streams[index].limit) }
                        killAll(pid)
                    }
                }
            }
        }
        if exit == nil {
            // Left the loop without a reaped child (poll failed): make sure it is gone.
            killAll(pid)
            var kind: Int32 = 0
            var code: Int32 = 0
            dryad_reap(pid, &kind, &code)
            exit = (kind, code)
        }
        let result = ending ?? (exit!.kind == 1 ? .exited(Int(exit!.code)) : .signaled(Int(exit!.code)))
        return ProcessResult(ending: result, stdout: streams[0].data, stderr: streams[1].data)
    }

    /// Reads what is ready on `stream`; true when it just went past its limit.
    private func read(into stream: inout Stream, buffer: inout [UInt8]) -> Bool {
        let count = buffer.withUnsafeMutableBytes { Glibc.read(stream.fd, $0.baseAddress, $0.count) }
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return false }
        guard count > 0 else {
            close(stream.fd)
            stream.fd = -1
            return false
        }
        guard !stream.overflowed else { return false }
        if stream.data.count + count > stream.limit {
            stream.data.append(contentsOf: buffer[0..<(stream.limit - stream.data.count)])
            stream.overflowed = true
            return true
        }
        stream.data.append(contentsOf: buffer[0..<count])
        return false
    }

    /// Signals the process group and, when contained, every process in the run's cgroup
    /// (a process that called `setsid` has left the group but not the cgroup).
    private func signalAll(_ pid: pid_t, _ signal: Int32) {
        kill(-pid, signal)
        launch.confinement?.cgroup.signal(signal)
    }

    private func killAll(_ pid: pid_t) {
        kill(-pid, SIGKILL)
        launch.confinement?.cgroup.killAll()
    }
}
