import ArgumentParser
import DryadCore
import Foundation
import Synchronization

/// `dryad executions …`: execution records across tools.
struct ExecutionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executions", abstract: "Inspect execution records.", subcommands: [List.self, Show.self])

    /// `dryad executions list`: runs of every tool the caller may read, newest first.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List runs of every tool you may read (an admin: all), newest first.")

        @OptionGroup var global: GlobalOptions

        @OptionGroup var filters: ExecutionFilterOptions

        @Option(help: ArgumentHelp("Only runs by this principal.", valueName: "name"))
        var principal: String?

        @OptionGroup var paging: PageOptions

        func run() async throws {
            let query = try filters.query(principal: principal)
            let (database, caller) = try await global.open()
            try global.printer.page(try await database.executions.list(query, page: paging.request, as: caller), noun: "executions")
        }
    }

    /// `dryad executions show`: one full record.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one execution record.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Execution id.")
        var id: String

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.executions.show(id, as: principal))
        }
    }
}

extension ExecutionStatus: ExpressibleByArgument {}

extension ExecutionRecord: TableRepresentable {
    static let columns = ["ID", "STARTED", "TOOL", "STATUS", "DURATION", "ERROR"]

    var row: [String] {
        [
            id, startedAt, "\(toolName)@\(toolVersion)", status.rawValue, "\(durationMs) ms",
            error.map { $0.count > 60 ? String($0.prefix(59)) + "…" : $0 } ?? "",
        ]
    }

    var fields: [(String, String)] {
        [
            ("id", id), ("tool", "\(toolName)@\(toolVersion)"), ("tool_id", toolID), ("status", status.rawValue),
            ("session_id", sessionID ?? "-"), ("context_id", contextID ?? "-"), ("principal", principal), ("input", input.canonicalText),
            ("output", output?.canonicalText ?? "-"), ("error", error ?? "-"),
            ("exit_code", exitCode.map(String.init) ?? "-"), ("http_status", httpStatus.map(String.init) ?? "-"),
            ("duration_ms", String(durationMs)), ("started_at", startedAt), ("finished_at", finishedAt),
            ("stored_output", storedOutput.map(Self.describe) ?? "-"),
        ]
    }

    /// `stored at /p as version 4`, or why not.
    static func describe(_ stored: StoredOutput) -> String {
        stored.stored ? "at \(stored.pointer) as version \(stored.version ?? 0)" : "not stored at \(stored.pointer): \(stored.reason ?? "")"
    }
}
