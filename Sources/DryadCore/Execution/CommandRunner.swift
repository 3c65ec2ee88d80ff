import Foundation
import Subprocess
import Synchronization
import SystemPackage

/// Runs a command executor: argv directly (no shell), input on stdin, scrubbed environment,
/// its own process group so a timeout or an output overflow kills grandchildren too.
struct CommandRunner: Sendable {
    var stdoutLimit = 1024 * 1024
    var stderrLimit = 64 * 1024
    /// How long SIGTERM has to work before SIGKILL.
    var gracePeriod: Duration = .milliseconds(500)

    /// Runs `argv`; never throws for the tool's own failures, only when it cannot be started.
    func run(
        argv: [String], input: Data, environment: [String: String], workingDirectory: String,
        timeout: Duration
    ) async throws(DryadError) -> ProcessResult {
        guard let program = argv.first else { throw .invalidInput("executor.argv is empty") }
        let group = ProcessGroup()
        var options = PlatformOptions()
        // A new process group led by the child: signals to -pid reach everything it spawns.
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        var env: [Environment.Key: String] = [:]
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { env[key] = value }
        }
        let configuration = Configuration(
            executable: program.contains("/") ? .path(FilePath(program)) : .name(program),
            arguments: Arguments(Array(argv.dropFirst())),
            environment: .custom(env),
            workingDirectory: FilePath(workingDirectory),
            platformOptions: options)
        // Input comes from an unlinked temporary file rather than a pipe: a tool that never reads
        // its stdin then cannot block the run or fail the write with EPIPE.
        let inputFile = try Self.inputFile(holding: input)
        defer { try? inputFile.close() }
        let stdoutLimit = self.stdoutLimit, stderrLimit = self.stderrLimit
        let grace = gracePeriod

        let outcome: Result<ProcessResult, any Error> = await withTaskGroup(of: RaceEvent?.self) { race in
            race.addTask {
                do {
                    let result = try await Subprocess.run(
                        configuration, input: .fileDescriptor(inputFile, closeAfterSpawningProcess: false),
                        output: .sequence, error: .sequence
                    ) { execution in
                        group.adopt(execution.processIdentifier.value)
                        async let out = Self.collect(execution.standardOutput, limit: stdoutLimit, group: group)
                        async let err = Self.collect(execution.standardError, limit: stderrLimit, group: group)
                        return try await (out, err)
                    }
                    let ((stdout, stdoutOverflow), (stderr, stderrOverflow)) = result.closureResult
                    let ending: ProcessResult.Ending
                    if stdoutOverflow {
                        ending = .outputTooLarge(stream: "stdout", limit: stdoutLimit)
                    } else if stderrOverflow {
                        ending = .outputTooLarge(stream: "stderr", limit: stderrLimit)
                    } else {
                        switch result.terminationStatus {
                        case .exited(let code): ending = .exited(Int(code))
                        case .signaled(let signal): ending = .signaled(Int(signal))
                        }
                    }
                    return .finished(.success(ProcessResult(ending: ending, stdout: stdout, stderr: stderr)))
                } catch {
                    return .finished(.failure(error))
                }
            }
            race.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .timedOut
            }
            var timedOut = false
            while let event = await race.next() {
                switch event {
                case .finished(let result)?:
                    race.cancelAll()
                    // Whatever happened, nothing the tool started may outlive the run.
                    group.signal(SIGKILL)
                    guard timedOut else { return result }
                    let partial = (try? result.get()) ?? ProcessResult(ending: .timedOut, stdout: Data(), stderr: Data())
                    return .success(ProcessResult(ending: .timedOut, stdout: partial.stdout, stderr: partial.stderr))
                case .timedOut?:
                    timedOut = true
                    group.signal(SIGTERM)
                    race.addTask {
                        do { try await Task.sleep(for: grace) } catch { return nil }
                        group.signal(SIGKILL)
                        return nil
                    }
                case nil:
                    continue
                }
            }
            return .failure(DryadError.toolFailed("the run ended without a result"))
        }
        if Task.isCancelled {
            let partial = try? outcome.get()
            return ProcessResult(ending: .cancelled, stdout: partial?.stdout ?? Data(), stderr: partial?.stderr ?? Data())
        }
        switch outcome {
        case .success(let result):
            return result
        case .failure(let error as SubprocessError):
            throw .toolFailed("cannot start \(program): \(Self.describe(error))")
        case .failure(let error):
            throw .toolFailed("cannot run \(program): \(error)")
        }
    }

    /// Writes `data` to a file that is already unlinked and returns it positioned at the start.
    private static func inputFile(holding data: Data) throws(DryadError) -> FileDescriptor {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dryad-input-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .toolFailed("cannot create the input file: \(String(cString: strerror(errno)))") }
        unlink(path)
        let file = FileDescriptor(rawValue: fd)
        do {
            _ = try file.writeAll(data)
            _ = try file.seek(offset: 0, from: .start)
        } catch {
            try? file.close()
            throw .toolFailed("cannot write the input file: \(error)")
        }
        return file
    }

    /// What finished first in a run: the process or its timeout.
    private enum RaceEvent: Sendable {
        case finished(Result<ProcessResult, any Error>)
        case timedOut
    }

    /// Reads a stream up to `limit` bytes; past it, kills the process group and reports overflow.
    private static func collect(_ stream: SubprocessOutputSequence, limit: Int, group: ProcessGroup) async throws -> (Data, Bool) {
        var data = Data()
        var iterator = stream.makeAsyncIterator()
        while let buffer = try await iterator.next() {
            let chunk = buffer.withUnsafeBytes { Data($0) }
            if data.count + chunk.count > limit {
                data.append(chunk.prefix(limit - data.count))
                group.signal(SIGKILL)
                // Keep draining (the sequence is single-pass) so the pipe closes and the run can finish.
                while try await iterator.next() != nil {}
                return (data, true)
            }
            data.append(chunk)
        }
        return (data, false)
    }

    private static func describe(_ error: SubprocessError) -> String {
        let text = String(describing: error)
        if text.contains("executableNotFound") || text.contains("not found") { return "program not found" }
        return text.split(separator: "\n").first.map(String.init) ?? "unknown error"
    }
}
