import Foundation
import GRDB

/// Runs tools: checks the tool's state and the input, runs the executor, checks the output,
/// and records every attempt, whatever its outcome.
public struct ToolRunner: Sendable {
    /// The largest input accepted for one run.
    public static let maxInputBytes = 1024 * 1024

    let database: DryadDatabase
    /// dryad's own environment: the source of PATH, HOME, LANG and `${NAME}` in HTTP headers and command env values.
    var environment: [String: String]
    /// Where and as whom contained command tools run.
    var sandbox: SandboxSettings
    var commandRunner = CommandRunner()
    var httpRunner = HTTPRunner()
    /// Calls tools on upstream MCP servers; nil where no MCP client was injected.
    var upstream: (any UpstreamClient)?

    /// Runs one tool version with `input` and records the attempt.
    ///
    /// Throws only when nothing can be recorded (unknown tool or session, input too large);
    /// every recorded outcome comes back as an `ExecutionOutcome`.
    public func execute(
        _ reference: ToolReference, input explicitInput: JSONValue, sessionID: String? = nil, timeout: Double? = nil,
        in placement: RunInContext? = nil, origin: RunOrigin = .cli, as principal: Principal
    ) async throws(DryadError) -> ExecutionOutcome {
        if let timeout, !(timeout > 0 && timeout <= ToolEndpoint.maxTimeoutSeconds) {
            throw .invalidInput("timeout: must be greater than 0 and at most \(Int(ToolEndpoint.maxTimeoutSeconds))")
        }
        try placement?.check()
        let explicitText = explicitInput.canonicalText
        guard explicitText.utf8.count <= Self.maxInputBytes else {
            throw .invalidInput("input: larger than \(Self.maxInputBytes / 1024 / 1024) MiB")
        }
        let now = database.now()
        // Decide before running: who may run what, in which context, with what input, is read in one snapshot.
        let decision: Result<RunDecision, RunRefusal> = try await database.read { db in
            let tool = try ToolRegistry.resolve(reference, in: db)
            do {
                let reason = try AccessCheck.requireTool(.read, tool, asked: reference, principal, in: db)
                let execute = try AccessCheck.toolDecision(principal, toolID: tool.id, level: .execute, in: db)
                if let sessionID {
                    let session = try SessionStore.fetch(sessionID, in: db)
                    _ = try SessionStore.requireOwner(session, principal)
                    guard session.status == .open else { throw DryadError.conflict("session \(sessionID) has ended") }
                }
                let input = try placement.map { try Self.contextInput($0, explicit: explicitInput, now: now, principal, in: db) } ?? explicitInput
                return .success(RunDecision(tool: tool, reason: execute.allowed ? execute.reason : reason, mayExecute: execute.allowed, input: input))
            } catch let refusal as RunRefusal {
                return .failure(refusal)
            } catch let denial as Denial {
                return .failure(RunRefusal(denial: denial, resource: "tool:\(reference)"))
            }
        }
        let tool: ToolVersion
        let reason: String
        let input: JSONValue
        switch decision {
        case .failure(let refusal):
            try await database.recordDenial(principal, .toolsExecute, refusal.resource, reason: refusal.denial.reason)
            throw refusal.denial.error
        case .success(let allowed) where !allowed.mayExecute:
            // Readable but not executable: a recorded, audited `denied` attempt.
            let refusal = DryadError.permissionDenied("\(principal.name) may not execute tool \(allowed.tool.reference)")
            var record = newRecord(
                allowed.tool, input: Self.keptInput(allowed.input, text: Self.text(of: allowed.input, explicit: explicitText, placement)),
                sessionID: sessionID, placement: placement, origin: origin,
                principal: principal)
            record.status = .denied
            record.error = refusal.message
            _ = try await save(record, placement: placement, stderrTail: nil, principal: principal, allowed: false, reason: "no execute grant")
            return ExecutionOutcome(record: record, failure: refusal, warnings: [])
        case .success(let allowed):
            tool = allowed.tool
            reason = allowed.reason
            input = allowed.input
        }
        let inputText = Self.text(of: input, explicit: explicitText, placement)
        guard inputText.utf8.count <= Self.maxInputBytes else {
            throw .invalidInput("input: larger than \(Self.maxInputBytes / 1024 / 1024) MiB with the value taken from the context")
        }
        do {
            return try await database.runSlots.run(for: principal.name) { () async throws(DryadError) in
                try await checkAndRun(
                    tool, reason: reason, input: input, inputText: inputText, sessionID: sessionID, timeout: timeout, placement: placement,
                    origin: origin, as: principal)
            }
        } catch {
            if case .limited = error {
                try await database.recordDenial(principal, .toolsExecute, "tool:\(tool.reference)", reason: "run limit")
            }
            throw error
        }
    }

    /// The canonical text of the run's input: the explicit input's, already made for its size
    /// check, unless the input came from a context (a MiB is not written out twice per run).
    private static func text(of input: JSONValue, explicit text: String, _ placement: RunInContext?) -> String {
        placement?.inputFrom == nil ? text : input.canonicalText
    }

    /// Checks the input, runs the executor and records the run, in a run slot.
    private func checkAndRun(
        _ tool: ToolVersion, reason: String, input: JSONValue, inputText: String, sessionID: String?, timeout: Double?, placement: RunInContext?,
        origin: RunOrigin, as principal: Principal
    ) async throws(DryadError) -> ExecutionOutcome {
        let startedAt = database.clock()
        let clock = ContinuousClock()
        let start = clock.now
        var record = newRecord(tool, input: input, sessionID: sessionID, placement: placement, origin: origin, principal: principal, at: startedAt)
        var stderrTail: String?
        var warnings: [String] = []
        if tool.status == .deprecated { warnings.append("tool \(tool.reference) is deprecated") }

        let failure: DryadError?
        if tool.status == .disabled {
            failure = reject(&record, .conflict("tool \(tool.reference) is disabled"), inputText: inputText)
        } else if tool.executor == nil {
            failure = reject(&record, .conflict("tool \(tool.reference) has no executor"), inputText: inputText)
        } else {
            switch Result(catching: { () throws(DryadError) in try JSONSchema(tool.inputSchema) }) {
            case .failure(let error):
                // Schemas are compiled at registration, so this is a damaged file; still recorded.
                failure = reject(
                    &record, .storage("the stored input schema of \(tool.reference) cannot be used: \(error.message)"), inputText: inputText)
            case .success(let schema):
                do {
                    let violations = try await SchemaCheck.violations(of: input, against: schema)
                    if violations.isEmpty {
                        failure = await run(tool, input: Data(inputText.utf8), timeout: timeout, into: &record, stderrTail: &stderrTail)
                    } else {
                        failure = reject(
                            &record,
                            .invalidInput(
                                "input does not match the input schema of \(tool.reference): "
                                    + violations.map(\.description).joined(separator: "; ")), inputText: inputText)
                    }
                } catch {
                    failure = reject(&record, error, inputText: inputText)
                }
            }
        }
        record.durationMs = Int((clock.now - start) / .milliseconds(1))
        record.finishedAt = Timestamp.format(startedAt.addingTimeInterval(Double(record.durationMs) / 1000))
        // A run outside the sandbox says so in the trail, whoever allowed it.
        let unconfined = if case .command(let command)? = tool.executor, command.sandbox.mode == .none { true } else { false }
        let saved = try await save(
            record, placement: placement, stderrTail: stderrTail, principal: principal, allowed: true,
            reason: unconfined ? reason + "; unconfined (sandbox none)" : reason)
        if let stored = saved.storedOutput, stored.refused, saved.status == .succeeded {
            warnings.append("the output was not stored in context \(saved.contextID ?? ""): \(stored.reason ?? "")")
        }
        return ExecutionOutcome(record: saved, failure: failure, warnings: warnings)
    }

    private func newRecord(
        _ tool: ToolVersion, input: JSONValue, sessionID: String?, placement: RunInContext?, origin: RunOrigin, principal: Principal,
        at date: Date? = nil
    ) -> ExecutionRecord {
        let at = Timestamp.format(date ?? database.clock())
        return ExecutionRecord(
            id: UUID().uuidString.lowercased(), toolID: tool.id, toolName: tool.name, toolVersion: tool.version,
            sessionID: sessionID, contextID: placement?.contextID, principal: principal.name, input: input, output: nil, status: .rejected,
            error: nil, exitCode: nil, httpStatus: nil, durationMs: 0, startedAt: at, finishedAt: at, via: origin.via, mcpSession: origin.mcpSession)
    }

    /// Writes the record and its audit entry in one transaction, with what a run in a context
    /// leaves there (its stored output, the error it logs); returns the record as saved.
    private func save(
        _ record: ExecutionRecord, placement: RunInContext?, stderrTail: String?, principal: Principal, allowed: Bool, reason: String
    ) async throws(DryadError) -> ExecutionRecord {
        let database = self.database
        let at = database.now()
        let limit = database.limits.memoryMaxBytes
        // An unstructured task does not inherit cancellation, so an interrupted run is still recorded.
        do {
            return try await Task {
                try await database.committer.write { db in
                    var record = record
                    if let placement {
                        try Self.leaveInContext(
                            placement, &record, stderrTail: stderrTail, principal: principal, at: at, limit: limit, keyring: database.keyring, in: db)
                    }
                    try ExecutionLog.insert(record, in: db)
                    try AuditLog.append(
                        principal: principal.name, action: .toolsExecute, resource: "tool:\(record.toolName)@\(record.toolVersion)",
                        allowed: allowed, reason: reason, requestID: principal.requestID, at: at, keyring: database.keyring, in: db)
                    return record
                }
            }.value
        } catch {
            throw DryadDatabase.map(error, path: database.path)
        }
    }

    /// Marks `record` refused with `error`, keeping at most the start of its input (`inputText`
    /// is the input's canonical text, already made for the size check).
    private func reject(_ record: inout ExecutionRecord, _ error: DryadError, inputText: String) -> DryadError {
        record.status = .rejected
        record.error = error.message
        record.input = Self.keptInput(record.input, text: inputText)
        return error
    }

    /// The most input a refused (`rejected` or `denied`) run keeps in its record, in bytes.
    static let maxRefusedInputBytes = 4096

    /// What a refused run's record keeps of its input: all of it up to `maxRefusedInputBytes`,
    /// else its start as a string saying how much was left out. A run that never ran should not
    /// let a caller store 1 MiB per request, however often it is refused.
    static func keptInput(_ input: JSONValue, text: String) -> JSONValue {
        let size = text.utf8.count
        guard size > maxRefusedInputBytes else { return input }
        let start = String(decoding: text.utf8.prefix(1024), as: UTF8.self)
        return .string("\(start)… (input of \(size) bytes; only its start is kept because the run was refused)")
    }

    /// Runs the executor and fills in status, output and error; returns the failure to surface.
    private func run(
        _ tool: ToolVersion, input: Data, timeout override: Double?, into record: inout ExecutionRecord, stderrTail: inout String?
    ) async -> DryadError? {
        guard let executor = tool.executor else { return nil }
        // A caller may shorten a run, never lengthen it: the tool's timeout is what its
        // writer chose to let it hold a process (and a run slot) for.
        let seconds = min(override ?? executor.timeoutSeconds, executor.timeoutSeconds)
        let timeout = Duration.milliseconds(Int64(seconds * 1000))
        do {
            switch executor {
            case .command(let command):
                stderrTail = try await runCommand(command, tool: tool, input: input, timeout: timeout, seconds: seconds, into: &record)
            case .http(let http):
                let result = try await httpRunner.run(http, input: input, environment: environment, timeout: timeout)
                apply(result, seconds: seconds, into: &record)
            case .mcp(let endpoint):
                try await runUpstream(endpoint, input: input, timeout: timeout, seconds: seconds, into: &record)
            }
        } catch {
            // An HTTP request ended because its caller went away is the caller's cancellation.
            record.status = Task.isCancelled ? .cancelled : .failed
            record.error = Task.isCancelled ? "cancelled: \(error.message)" : error.message
        }
        if record.status == .succeeded, let schema = tool.outputSchema, let output = record.output {
            switch Result(catching: { () throws(DryadError) in try JSONSchema(schema) }) {
            case .failure(let error):
                record.status = .failed
                record.error = "invalid_output: the output schema cannot be used: \(error.message)"
            case .success(let compiled):
                do {
                    let violations = try await SchemaCheck.violations(of: output, against: compiled)
                    if !violations.isEmpty {
                        record.status = .failed
                        record.error = "invalid_output: " + violations.map(\.description).joined(separator: "; ")
                    }
                } catch {
                    record.status = .failed
                    record.error = "invalid_output: \(error.message)"
                }
            }
        }
        switch record.status {
        case .succeeded: return nil
        case .timedOut: return .toolFailed("tool \(tool.reference) \(record.error ?? "timed out")")
        case .failed: return .toolFailed("tool \(tool.reference) failed: \(record.error ?? "")")
        case .cancelled: return .toolFailed("tool \(tool.reference) was cancelled: \(record.error ?? "")")
        case .rejected, .denied: return .invalidInput(record.error ?? "rejected")
        }
    }

    private func runCommand(
        _ command: CommandEndpoint, tool: ToolVersion, input: Data, timeout: Duration, seconds: Double,
        into record: inout ExecutionRecord
    ) async throws(DryadError) -> String? {
        // Set last so a registered env cannot impersonate another tool or run.
        let own = ["DRYAD_TOOL": tool.name, "DRYAD_TOOL_VERSION": tool.version, "DRYAD_EXECUTION_ID": record.id]
        let prepared = try PreparedLaunch.prepare(
            command, environment: environment, own: own, id: record.id, cpuTimeout: seconds, settings: sandbox, protected: database.ownFiles)
        defer { prepared.release() }
        let launch = prepared.launch
        let result = try await commandRunner.run(launch, input: input, timeout: timeout)
        switch result.ending {
        case .exited(0):
            record.status = .succeeded
            record.exitCode = 0
            record.output = Self.output(from: result.stdout)
        case .exited(let code):
            record.status = .failed
            record.exitCode = code
            record.error = "exit code \(code)" + Self.tail(of: result.stderr)
        case .signaled(let signal):
            record.status = .failed
            record.error = "killed by signal \(signal)" + Self.tail(of: result.stderr)
        case .timedOut:
            record.status = .timedOut
            record.error = "timed out after \(Self.format(seconds)) s; the process group was killed"
        case .outputTooLarge(let stream, let limit):
            record.status = .failed
            record.error = "\(stream) exceeded \(limit / 1024) KiB; the process group was killed"
        case .cancelled:
            record.status = .cancelled
            record.error = "cancelled; the process group was killed"
        }
        return Self.lastLines(of: result.stderr)
    }

    /// The program's path: as given when it names a folder, else the first executable file
    /// of that name in the run's PATH (the child only execs, so the search happens here).
    static func locate(_ program: String, path: String?) throws(DryadError) -> String {
        if program.contains("/") { return program }
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where folder.hasPrefix("/") {
            let candidate = folder + "/" + program
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        throw .toolFailed("cannot start \(program): program not found")
    }

    private func apply(_ result: HTTPResult, seconds: Double, into record: inout ExecutionRecord) {
        switch result.ending {
        case .responded(let status):
            record.httpStatus = status
            let body = try? JSONValue.parse(result.body, firstKeyWins: true)
            if (200..<300).contains(status), let body {
                record.status = .succeeded
                record.output = body
            } else {
                record.status = .failed
                let excerpt = Self.excerpt(result.body)
                record.error =
                    (200..<300).contains(status)
                    ? "HTTP \(status) with a body that is not JSON" + (excerpt.isEmpty ? "" : ": \(excerpt)")
                    : "HTTP \(status)" + (excerpt.isEmpty ? "" : ": \(excerpt)")
            }
        case .timedOut:
            record.status = .timedOut
            record.error = "timed out after \(Self.format(seconds)) s"
        case .bodyTooLarge(let limit):
            record.status = .failed
            record.error = "response body exceeded \(limit / 1024) KiB"
        case .unreachable(let reason):
            record.status = .failed
            record.error = "request failed: \(reason)"
        }
    }

    /// stdout as JSON, or as a JSON string when it is not JSON.
    static func output(from stdout: Data) -> JSONValue {
        if let value = try? JSONValue.parse(stdout, firstKeyWins: true) { return value }
        return .string(String(decoding: stdout, as: UTF8.self))
    }

    /// The last lines of stderr, on one line, for error messages.
    static func tail(of stderr: Data) -> String {
        let text = excerpt(stderr.suffix(1024))
        return text.isEmpty ? "" : ": \(text)"
    }

    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(1024), as: UTF8.self)
        let oneLine = text.unicodeScalars.map {
            $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : ($0.properties.generalCategory == .control ? "?" : Character($0))
        }
        return String(String(oneLine).trimmingCharacters(in: .whitespaces).prefix(500))
    }

    static func format(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
    }
}

extension DryadDatabase {
    /// Runs tools in this registry with dryad's own environment.
    ///
    /// `sandbox` defaults to what `DRYAD_TOOL_USER` and `DRYAD_CGROUP` in `environment` say;
    /// `upstream` calls the tools of upstream MCP servers (without it, their runs fail).
    public func executor(environment: [String: String], sandbox: SandboxSettings? = nil, upstream: (any UpstreamClient)? = nil) -> ToolRunner {
        ToolRunner(database: self, environment: environment, sandbox: sandbox ?? SandboxSettings(environment: environment), upstream: upstream)
    }
}

extension ToolRunner {
    /// Runs a tool of an upstream MCP server: the input object as its arguments,
    /// `structuredContent` (else `{"content": [...]}`) as the output, `isError` as a failure.
    func runUpstream(
        _ endpoint: UpstreamEndpoint, input: Data, timeout: Duration, seconds: Double, into record: inout ExecutionRecord
    ) async throws(DryadError) {
        guard let upstream else {
            throw .toolFailed("this dryad process cannot reach MCP servers")
        }
        guard let server = try await database.servers.server(for: endpoint) else {
            // Removed (perhaps by another process): what this process holds for it ends too.
            await upstream.disconnect(endpoint.server)
            throw .toolFailed("server \(endpoint.server) is not registered (removed?)")
        }
        // A tool the server's globs no longer take is not called, whatever its status.
        guard server.takes(endpoint.tool) else {
            throw .toolFailed("server \(endpoint.server) no longer takes its tool \(endpoint.tool) (--include/--exclude)")
        }
        let arguments = try JSONValue.parse(input)
        switch await upstream.call(endpoint.tool, arguments: arguments, on: server, timeout: timeout) {
        case .answered(let content, let structured, let isError):
            record.output = structured ?? .object(["content": content])
            if isError {
                record.status = .failed
                record.error = "the tool reported an error" + (Self.contentText(content).map { ": \($0)" } ?? "")
            } else {
                record.status = .succeeded
            }
        case .timedOut:
            record.status = .timedOut
            record.error = "timed out after \(Self.format(seconds)) s; the request was cancelled upstream"
        case .cancelled:
            record.status = .cancelled
            record.error = "cancelled; the request was cancelled upstream"
        case .failed(let reason):
            record.status = .failed
            record.error = "server \(endpoint.server): \(reason)"
        }
    }

    /// The text items of an MCP `content` array, on one line, for an error message.
    static func contentText(_ content: JSONValue) -> String? {
        guard case .array(let items) = content else { return nil }
        let texts = items.compactMap { item -> String? in
            if case .object(let fields) = item, case .string(let text)? = fields["text"] { text } else { nil }
        }
        let joined = excerpt(Data(texts.joined(separator: " ").utf8))
        return joined.isEmpty ? nil : joined
    }
}
