import DryadTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What one run of the `dryad` binary produced.
struct RunResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs the built `dryad` binary against a private database in a temporary folder.
final class CLIHarness: Sendable {
    /// Holds the database and whatever a test writes; removed when the harness goes.
    let temporary: TemporaryFolder
    var folder: String { temporary.path }
    let databasePath: String

    init() throws {
        temporary = try TemporaryFolder(prefix: "dryad-cli-tests")
        databasePath = temporary.path + "/dryad.db"
    }

    /// The binary next to the test bundle (`swift build` puts both in the same folder), or `$DRYAD_BIN`.
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["DRYAD_BIN"] { return explicit }
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent("dryad").path
    }()

    /// What every child gets besides its own variables. Under `swift test --enable-code-coverage`
    /// the binary is instrumented and would write a profile into the working directory at every
    /// exit (or fail to, as another user, on stderr); its profiles are thrown away instead.
    /// Merging them was tried: a pool shared by thousands of processes, some killed mid-write,
    /// came out corrupt, and one file per process is gigabytes.
    static let baseEnvironment: [String: String] = {
        var environment = ["PATH": "/usr/bin:/bin"]
        if ProcessInfo.processInfo.environment["LLVM_PROFILE_FILE"] != nil { environment["LLVM_PROFILE_FILE"] = "/dev/null" }
        return environment
    }()

    /// Runs `dryad ARGS` with `DRYAD_DB` pointing at this harness's database.
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> RunResult {
        var env = Self.baseEnvironment.merging(["HOME": folder, "DRYAD_DB": databasePath]) { _, new in new }
        env.merge(environment) { _, new in new }
        return try Self.run(arguments, stdin: stdin, environment: env)
    }

    /// Runs a `/bin/sh -c` script (for several dryad processes in one, or a changed identity)
    /// with this harness's environment.
    func run(_ extraEnvironment: [String: String] = [:], shell script: String) throws -> RunResult {
        var env = Self.baseEnvironment.merging(["HOME": folder, "DRYAD_DB": databasePath]) { _, new in new }
        env.merge(extraEnvironment) { _, new in new }
        return try Self.run(["-c", script], stdin: nil, environment: env, executable: "/bin/sh")
    }

    static func run(_ arguments: [String], stdin: String?, environment: [String: String], executable: String = binary) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // A test's own environment still sends coverage profiles where the others go.
        process.environment = environment.merging(baseEnvironment.filter { $0.key == "LLVM_PROFILE_FILE" }) { own, _ in own }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting so a large output cannot block the child.
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunResult(
            status: process.terminationStatus,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Runs another program quietly and returns its exit status.
    static func runProgram(_ path: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Writes a file into the harness folder and returns its path.
    func write(_ name: String, _ contents: String) throws -> String {
        let path = folder + "/" + name
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

extension CLIHarness {
    /// Starts `dryad serve …` and returns it with the address from its first line. Its stderr
    /// (the access log and any error) goes to `stderrPath`, by default `serve.stderr` in the
    /// harness folder, so a failing test can say why the server stopped answering.
    func startServer(_ arguments: [String], stderrPath: String? = nil) throws -> (Process, String) {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: CLIHarness.binary)
        server.arguments = arguments
        server.environment = Self.baseEnvironment.merging(["HOME": folder]) { _, new in new }
        let out = Pipe()
        server.standardOutput = out
        let log = stderrPath ?? serverLogPath
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try server.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let address =
            String(decoding: line, as: UTF8.self).components(separatedBy: "listening on ").last?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return (server, address)
    }

    /// Where `startServer` writes the server's stderr unless told otherwise.
    var serverLogPath: String { folder + "/serve.stderr" }

    /// Whether `server` is still running (or how it ended) and the end of its stderr: what a
    /// test that lost its server prints instead of a bare connection error.
    func describe(_ server: Process, log: String? = nil) -> String {
        let state =
            server.isRunning
            ? "the server (pid \(server.processIdentifier)) is still running"
            : "the server exited: \(server.terminationReason == .uncaughtSignal ? "signal" : "status") \(server.terminationStatus)"
        let text = (try? String(contentsOfFile: log ?? serverLogPath, encoding: .utf8)) ?? ""
        let tail = text.split(separator: "\n").suffix(10).joined(separator: "\n")
        return state + (tail.isEmpty ? "; its stderr is empty" : "; the end of its stderr:\n" + tail)
    }

    /// Waits until `GET address/healthz` answers 200: the address printed is the one listening.
    /// Fails with `describe(server)` after `timeout`.
    func waitUntilHealthy(_ server: Process, address: String, timeout: Duration = .seconds(30)) async throws {
        let url = try #require(URL(string: address + "/healthz"), "no address printed: \(describe(server))")
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var lastError = "no answer yet"
        while clock.now < deadline {
            var request = URLRequest(url: url)
            request.timeoutInterval = 5
            do {
                let (_, response) = try await URLSession.shared.data(for: request)
                if (response as? HTTPURLResponse)?.statusCode == 200 { return }
                lastError = "status \((response as? HTTPURLResponse)?.statusCode ?? 0)"
            } catch {
                lastError = "\(error)"
            }
            guard server.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(address) never answered /healthz (\(lastError)); \(describe(server))")
        throw CancellationError()
    }
}

/// Parses JSON output into Foundation values for assertions.
func json(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw CocoaError(.coderReadCorrupt)
    }
    return object
}
