import CSandbox
import Foundation
import Synchronization

/// The running program of an upstream MCP server on the stdio transport: confined from the
/// server's sandbox policy as a command tool is, but kept running across calls. Whoever holds
/// it writes messages to `input`, reads them from `output` and calls `stop()` when done or when
/// `output` ends (the program died); `stop()` kills what is left, reaps it and frees the sandbox.
public final class ServerProcess: Sendable {
    /// The write end of the program's stdin; nil once stopped, so a late write never reaches
    /// a descriptor number that has been reused.
    private let input: Mutex<Int32?>
    /// The read end of the program's stdout.
    public let output: Int32
    private let pid: pid_t
    private let pidfd: Int32
    private let prepared: PreparedLaunch
    /// The last bytes the program wrote to stderr, for the reason of a failure.
    private let errors = Mutex<[UInt8]>([])
    /// Signalled when stderr has been read to its end.
    private let drained = DispatchSemaphore(value: 0)
    /// How the program ended, once `stop()` has reaped it.
    private let ending = Mutex<String?>(nil)

    /// The most stderr kept, in bytes.
    static let errorTailBytes = 2048

    private init(input: Int32, output: Int32, pid: pid_t, pidfd: Int32, prepared: PreparedLaunch) {
        self.input = Mutex(input)
        self.output = output
        self.pid = pid
        self.pidfd = pidfd
        self.prepared = prepared
    }

    /// What the program last wrote to stderr, on one line ("" when nothing).
    public var recentErrors: String {
        ToolRunner.excerpt(Data(errors.withLock { $0 }))
    }

    /// `recentErrors` once stderr has been read to its end (at most half a second after the
    /// program ended: a descendant may hold stderr open). Blocks: call it off the task threads.
    public func errorsAfterExit() -> String {
        if drained.wait(timeout: .now() + .milliseconds(500)) == .success { drained.signal() }
        return recentErrors
    }

    /// Stops the program (SIGTERM to its process group and cgroup, SIGKILL after `grace`),
    /// reaps it and frees its sandbox; returns how it ended. Safe to call more than once.
    @discardableResult
    public func stop(grace: Duration = .seconds(2)) -> String {
        ending.withLock { ending in
            if let ending { return ending }
            kill(-pid, SIGTERM)
            prepared.launch.confinement?.cgroup.signal(SIGTERM)
            var poller = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(grace / .milliseconds(1))
            if poll(&poller, 1, milliseconds) <= 0 {
                kill(-pid, SIGKILL)
                prepared.launch.confinement?.cgroup.killAll()
            }
            // What the program left in its group goes before the leader is reaped, while its
            // group id cannot have been reused.
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            // A write in progress ends within its deadline (or with EPIPE now that the program is gone).
            input.withLock { fd in
                if let open = fd { close(open) }
                fd = nil
            }
            prepared.release()
            close(pidfd)
            let described = Self.describe(status)
            ending = described
            return described
        }
    }

    /// Writes all of `bytes` to the program's stdin within `deadline`; false when it cannot
    /// (stopped, it closed its stdin, or it stopped reading and the pipe stayed full). Waits
    /// while the pipe is full: call it off the task threads.
    public func write(_ bytes: [UInt8], within deadline: Duration) -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        // A program that has gone raises SIGPIPE at the write: it is blocked on this thread for
        // the write and a pending one taken before unblocking, so whoever embeds the core need
        // not ignore SIGPIPE process-wide (dryad does; a test runner does not).
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer {
            var none = timespec()
            while sigtimedwait(&pipeSignal, nil, &none) == SIGPIPE {}
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        return input.withLock { fd in
            guard let fd else { return false }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress! + offset, bytes.count - offset) }
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    let left = end - clock.now
                    guard left > .zero else { return false }
                    var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&poller, 1, Int32(max(1, left / .milliseconds(1))))
                } else {
                    return false
                }
            }
            return true
        }
    }

    /// Whether the program has exited (without reaping it).
    public var hasExited: Bool {
        var poller = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
        return ending.withLock { $0 != nil } || poll(&poller, 1, 0) > 0
    }

    private static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    private static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exit code \((status >> 8) & 0xff)" : "killed by signal \(signal)"
    }

    /// Starts `command` for the server `name`: a fresh private folder, the sandbox its policy
    /// asks for, `DRYAD_SERVER` set to its name, stdin and stdout as pipes.
    static func start(
        _ command: CommandEndpoint, name: String, environment: [String: String], settings: SandboxSettings, protected: [String]
    ) throws(DryadError) -> ServerProcess {
        let id = "server-\(name)-\(UUID().uuidString.lowercased())"
        let prepared = try PreparedLaunch.prepare(
            command, environment: environment, own: ["DRYAD_SERVER": name], id: id, cpuTimeout: ToolEndpoint.maxTimeoutSeconds,
            settings: settings, protected: protected)
        var stdin: [Int32] = [-1, -1]
        var stdout: [Int32] = [-1, -1]
        var stderr: [Int32] = [-1, -1]
        guard dryad_pipe(&stdin) == 0, dryad_pipe(&stdout) == 0, dryad_pipe(&stderr) == 0 else {
            let reason = String(cString: strerror(errno))
            for fd in stdin + stdout + stderr where fd >= 0 { close(fd) }
            prepared.release()
            throw .toolFailed("cannot create a pipe: \(reason)")
        }
        // The write end does not block: a program that stops reading must not hold a writer.
        _ = fcntl(stdin[1], F_SETFL, fcntl(stdin[1], F_GETFL) | O_NONBLOCK)
        let spawned = Self.spawnOnOwnThread(prepared.launch, stdin: stdin[0], stdout: stdout[1], stderr: stderr[1])
        close(stdin[0])
        close(stdout[1])
        close(stderr[1])
        switch spawned {
        case .failure(let error):
            close(stdin[1])
            close(stdout[0])
            close(stderr[0])
            prepared.release()
            throw error
        case .success(let child):
            let process = ServerProcess(input: stdin[1], output: stdout[0], pid: child.pid, pidfd: child.pidfd, prepared: prepared)
            let errorsFD = stderr[0]
            let thread = Thread { [process] in process.drainErrors(errorsFD) }
            thread.name = "dryad-server-stderr"
            thread.start()
            return process
        }
    }

    /// Spawns from a thread that lives as long as the program: the sandbox sets the child's
    /// parent-death signal, which fires when the thread that forked it ends, and a task thread
    /// may end whenever the runtime likes. The thread waits (without reaping) for the exit.
    private static func spawnOnOwnThread(
        _ launch: ProgramLaunch, stdin: Int32, stdout: Int32, stderr: Int32
    ) -> Result<(pid: pid_t, pidfd: Int32), DryadError> {
        let outcome = Mutex<Result<(pid: pid_t, pidfd: Int32), DryadError>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread {
            let spawned = launch.spawn(stdin: stdin, stdout: stdout, stderr: stderr)
            // Its own copy of the pidfd: `stop()` closes the original whenever it likes.
            let watched = if case .success(let child) = spawned { dup(child.pidfd) } else { Int32(-1) }
            outcome.withLock { $0 = spawned }
            ready.signal()
            guard case .success(let child) = spawned else { return }
            if watched >= 0 {
                var poller = pollfd(fd: watched, events: Int16(POLLIN), revents: 0)
                while poll(&poller, 1, -1) < 0 && errno == EINTR {}
                close(watched)
            } else {
                // No descriptor to spare: watch the process by its id until it is gone or a zombie.
                while kill(child.pid, 0) == 0 && !Self.isZombie(child.pid) { usleep(100_000) }
            }
        }
        thread.name = "dryad-server"
        thread.start()
        ready.wait()
        return outcome.withLock { $0 } ?? .failure(.toolFailed("the program could not be started"))
    }

    /// Keeps the last `errorTailBytes` of stderr until the program closes it.
    private func drainErrors(_ fd: Int32) {
        defer {
            close(fd)
            drained.signal()
        }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            errors.withLock { kept in
                kept.append(contentsOf: chunk[0..<count])
                if kept.count > Self.errorTailBytes { kept.removeFirst(kept.count - Self.errorTailBytes) }
            }
        }
    }
}

/// Starts the programs of upstream MCP servers with dryad's environment and sandbox settings
/// and with dryad's own files out of reach, as `ToolRunner` starts command tools.
public struct ServerLauncher: Sendable {
    let environment: [String: String]
    let settings: SandboxSettings
    let protected: [String]

    /// dryad's environment, for `${NAME}` in an HTTP server's headers.
    public var templateSource: [String: String] { environment }

    /// Starts the server `name`'s program.
    public func start(_ command: CommandEndpoint, name: String) throws(DryadError) -> ServerProcess {
        try ServerProcess.start(command, name: name, environment: environment, settings: settings, protected: protected)
    }
}

extension DryadDatabase {
    /// Starts upstream servers' programs with `environment` (see `executor(environment:sandbox:)`).
    public func serverLauncher(environment: [String: String], sandbox: SandboxSettings? = nil) -> ServerLauncher {
        ServerLauncher(environment: environment, settings: sandbox ?? SandboxSettings(environment: environment), protected: ownFiles)
    }
}
