import ArgumentParser
import DryadCore
import DryadMCP
import Foundation
import Synchronization

extension ToolsCommand {
    /// `dryad tools execute`: runs a tool and records the run.
    struct Execute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "execute",
            abstract: "Run a tool with JSON input; the run is recorded whatever its outcome.",
            discussion:
                "Table output prints the tool's output; -o json prints the execution record. Exit 0 on success, 6 when the run failed or timed out, 65 when the input does not match the schema, 5 when the tool is disabled or has no executor.\n\nWith --context the run is recorded in that memory context: --input-from takes the input from its resolved data (any --input is applied over it as an RFC 7396 merge patch), --store-output writes a successful output into it as a new version (with --if-version and --on-conflict as for memory update), and a failed run logs an error on it. A refused store does not undo the run: the record says why, with a warning on stderr."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "NAME (latest version), NAME@VERSION or id.", completion: DatabaseCompletion.tools)
        var ref: String

        @Option(help: ArgumentHelp("Input JSON, or '-' to read it from stdin (default {}).", valueName: "json"))
        var input: String?

        @Option(help: ArgumentHelp("File holding the input JSON.", valueName: "path"))
        var inputFile: String?

        @Option(help: ArgumentHelp("Record the run in this open session.", valueName: "id"))
        var session: String?

        @Option(
            help: ArgumentHelp("Run in this memory context (needs read access; write access with --store-output).", valueName: "id"),
            completion: DatabaseCompletion.contexts)
        var context: String?

        @Option(help: ArgumentHelp("With --context: take the input from the context's resolved data at this JSON pointer.", valueName: "pointer"))
        var inputFrom: String?

        @Option(help: ArgumentHelp("With --context: on success, write the output at this JSON pointer as a new version.", valueName: "pointer"))
        var storeOutput: String?

        @Option(help: ArgumentHelp("With --store-output: store only over this version of the context.", valueName: "version"))
        var ifVersion: Int?

        @Option(help: "With --if-version: reject (default) or merge.")
        var onConflict: MemoryChange.ConflictPolicy = .reject

        @Option(help: ArgumentHelp("User a contained tool runs as when dryad runs as root (default: $DRYAD_TOOL_USER, else nobody).", valueName: "user"))
        var toolUser: String?

        @Option(help: ArgumentHelp("Seconds the run may take, overriding the executor's timeout.", valueName: "seconds"))
        var timeout: Double?

        func validate() throws {
            if input != nil && inputFile != nil { throw ValidationError("--input and --input-file are mutually exclusive") }
            if context == nil && (inputFrom != nil || storeOutput != nil) { throw ValidationError("--input-from and --store-output need --context") }
            if storeOutput == nil && (ifVersion != nil || onConflict != .reject) { throw ValidationError("--if-version and --on-conflict need --store-output") }
        }

        func run() async throws {
            let reference = try ToolReference(ref)
            let value: JSONValue
            if let inputFile {
                value = try InputReader.jsonDocument(path: inputFile, flag: "--input-file")
            } else if input == "-" {
                value = try InputReader.jsonDocument(path: "-", flag: "--input")
            } else if let input {
                value = try InputReader.json(input, flag: "--input")
            } else {
                value = .object([:])
            }
            let placement = context.map {
                RunInContext(
                    contextID: $0, inputFrom: inputFrom, storeOutput: storeOutput, ifVersion: ifVersion.map { ExpectedNumbers($0) }, onConflict: onConflict)
            }
            let (database, principal) = try await global.open()
            var environment = ProcessInfo.processInfo.environment
            if let toolUser { environment["DRYAD_TOOL_USER"] = toolUser }
            // Tools on upstream MCP servers: their programs live as long as this command.
            let upstream = MCPUpstreamPool(database: database, environment: environment)
            let runner = database.executor(environment: environment, upstream: upstream)
            // Ctrl-C or SIGTERM cancels the run, which tears down the tool's process group and
            // still records the attempt, instead of leaving the tool running on its own. The
            // handlers go in before the run starts, so no signal can slip between the two.
            let interrupt = Interrupt()
            SignalPipe.install([SIGINT, SIGTERM]) { interrupt.fire() }
            let run = Task {
                try await runner.execute(reference, input: value, sessionID: session, timeout: timeout, in: placement, as: principal)
            }
            interrupt.watch(run)
            let result = await run.result
            await upstream.shutdown()
            let outcome = try result.get()
            for warning in outcome.warnings { Printer.message("dryad: warning: \(warning)") }
            switch global.output {
            case .table:
                if outcome.failure == nil {
                    // Output that was not JSON is kept as a string: shown as the text it was, not quoted.
                    let output = outcome.record.output ?? .null
                    // Its own final newline stands in for the one every printed result ends with.
                    let text = if case .string(let plain) = output { plain.hasSuffix("\n") ? String(plain.dropLast()) : plain } else { output.prettyText }
                    Printer.out(Printer.visible(text, keepingLines: true))
                }
            case .json, .jsonl:
                try global.printer.record(outcome.record)
            }
            if let failure = outcome.failure {
                Printer.error(code: failure.code, message: failure.commandLineMessage, format: global.output)
                throw ExitCode(DryadMain.exitCode(for: failure))
            }
        }
    }

    /// `dryad tools history`: a tool's recorded runs, newest first.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history", abstract: "List a tool's executions, newest first (readable by name after the tool is deleted).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "NAME (every version), NAME@VERSION or id.", completion: DatabaseCompletion.tools)
        var ref: String

        @OptionGroup var filters: ExecutionFilterOptions
        @OptionGroup var paging: PageOptions

        func run() async throws {
            let reference = try ToolReference(ref)
            let query = try filters.query()
            let (database, principal) = try await global.open()
            let page = try await database.executions.history(reference, query, page: paging.request, as: principal)
            try global.printer.page(page, noun: "executions")
        }
    }

    /// `dryad tools stats`: counts, success rate and durations per tool version.
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Show counts by status, success rate and p50/p95/max duration per tool version.",
            discussion: "Success rate and durations cover runs that reached the executor (succeeded, failed, timed_out).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "NAME, NAME@VERSION or id (default: every tool).", completion: DatabaseCompletion.tools)
        var ref: String?

        @Option(help: ArgumentHelp("Only runs since an RFC 3339 time or a duration back from now (15m, 2h, 7d).", valueName: "when"))
        var since: String?

        @Option(
            help: ArgumentHelp("The tool's runs over time in buckets of this size (1m to 30d: 15m, 1h, 1d), since --since (default 24h).", valueName: "bucket"))
        var series: String?

        @Option(help: ArgumentHelp("With --series: up to this RFC 3339 time or duration back from now (default now).", valueName: "when"))
        var until: String?

        func validate() throws {
            if series != nil && ref == nil { throw ValidationError("--series needs a tool") }
            if until != nil && series == nil { throw ValidationError("--until needs --series") }
        }

        func run() async throws {
            let reference = try ref.map { try ToolReference($0) }
            let sinceDate = try since.map { try TimeWindow.since($0) }
            let (database, principal) = try await global.open()
            if let series, let reference {
                guard let seconds = TimeWindow.duration(series) else { throw DryadError.invalidInput("--series: expected a duration like 15m, 1h or 1d") }
                let untilDate = try until.map { try TimeWindow.since($0, field: "until") }
                let result = try await database.executions.series(reference, bucket: Int(seconds), since: sinceDate, until: untilDate, as: principal)
                try global.printer.result(result, text: SeriesView(series: result).text)
                if let next = result.next, global.output == .table { Printer.message("more: pass --since \(next)") }
                return
            }
            let stats = try await database.executions.stats(reference, since: sinceDate, as: principal)
            try global.printer.page(Page(items: stats, nextCursor: nil), noun: "runs")
        }
    }
}

/// Remembers an interrupt that may arrive before the task it cancels exists.
final class Interrupt: Sendable {
    private let state = Mutex<(task: Task<ExecutionOutcome, any Error>?, fired: Bool)>((nil, false))

    func watch(_ task: Task<ExecutionOutcome, any Error>) {
        let fired = state.withLock { state in
            state.task = task
            return state.fired
        }
        if fired { task.cancel() }
    }

    func fire() {
        let task = state.withLock { state in
            state.fired = true
            return state.task
        }
        task?.cancel()
    }
}

extension ToolStats: TableRepresentable {
    static let columns = ["NAME", "VERSION", "OK", "FAILED", "TIMED_OUT", "CANCELLED", "REJECTED", "DENIED", "SUCCESS", "P50", "P95", "MAX", "LAST_RUN"]

    var row: [String] {
        [
            name, version, String(succeeded), String(failed), String(timedOut), String(cancelled), String(rejected), String(denied),
            successRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-",
            p50Ms.map { "\($0) ms" } ?? "-", p95Ms.map { "\($0) ms" } ?? "-", maxMs.map { "\($0) ms" } ?? "-", lastRunAt ?? "-",
        ]
    }

    var fields: [(String, String)] { zip(Self.columns.map { $0.lowercased() }, row).map { ($0, $1) } }
}

/// A stats series as a table: one row per bucket.
struct SeriesView {
    let series: StatsSeries

    var text: String {
        let header = ["START", "SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED", "REJECTED", "DENIED", "P50_MS", "P95_MS"]
        let rows = series.buckets.map { b in
            [
                b.start, "\(b.succeeded)", "\(b.failed)", "\(b.timedOut)", "\(b.cancelled)", "\(b.rejected)", "\(b.denied)", b.p50Ms.map(String.init) ?? "-",
                b.p95Ms.map(String.init) ?? "-",
            ]
        }
        return Printer.table(header: header, rows: rows)
    }
}
