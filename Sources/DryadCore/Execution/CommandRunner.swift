import CSandbox
import Foundation

/// Runs a command executor: argv directly (no shell), input on stdin, scrubbed environment,
/// confined as its policy says, with a timeout and output limits; when it ends, everything it
/// started is killed (its process group, and its cgroup when contained).
///
/// The run is watched from a thread of its own (`ProcessWatch`), blocked in `poll` on the
/// output pipes, the process's pidfd and a cancel pipe: the child's death signal is tied to
/// the thread that started it, and a cooperative-pool thread must not block.
struct CommandRunner: Sendable {
    var stdoutLimit = 1024 * 1024
    var stderrLimit = 64 * 1024
    /// How long SIGTERM has to work before SIGKILL.
    var gracePeriod: Duration = .milliseconds(500)

    /// Runs `launch`; never throws for the tool's own failures, only when it cannot be started.
    func run(_ launch: ProgramLaunch, input: Data, timeout: Duration) async throws(DryadError) -> ProcessResult {
        let inputFile = try Self.inputFile(holding: input)
        defer { close(inputFile) }
        let watch = try ProcessWatch(
            launch: launch, inputFD: inputFile, stdoutLimit: stdoutLimit, stderrLimit: stderrLimit, timeout: timeout,
            grace: gracePeriod)
        let result: Result<ProcessResult, DryadError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: watch.run()) }
                thread.name = "dryad-run"
                thread.start()
            }
        } onCancel: {
            watch.cancel()
        }
        return try result.get()
    }

    /// Writes `data` to a file that is already unlinked and returns it positioned at the start.
    ///
    /// Input comes from a file rather than a pipe: a tool that never reads its stdin then
    /// cannot block the run or fail the write with EPIPE.
    private static func inputFile(holding data: Data) throws(DryadError) -> Int32 {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dryad-input-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .toolFailed("cannot create the input file: \(String(cString: strerror(errno)))") }
        unlink(path)
        var written = 0
        let failed = data.withUnsafeBytes { bytes -> Bool in
            while written < bytes.count {
                let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return true }
                written += n
            }
            return false
        }
        guard !failed, lseek(fd, 0, SEEK_SET) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .toolFailed("cannot write the input file: \(reason)")
        }
        return fd
    }
}
