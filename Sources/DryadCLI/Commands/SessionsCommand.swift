import ArgumentParser
import DryadCore
import Foundation
import Synchronization

/// `dryad sessions …`: groups of executions.
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions", abstract: "Start, end and inspect tool sessions.",
        subcommands: [Start.self, End.self, List.self, Show.self])

    /// `dryad sessions start`: prints the new session's id.
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Open a session and print its id.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "A label for people.")
        var label: String?

        func run() async throws {
            let (database, principal) = try await global.open()
            let session = try await database.sessions.start(label: label, as: principal)
            try global.printer.result(session, text: session.id)
        }
    }

    /// `dryad sessions end`.
    struct End: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "end", abstract: "End an open session.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Session id.")
        var id: String

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.sessions.end(id, as: principal))
        }
    }

    /// `dryad sessions list`: newest first.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List sessions, newest first.")

        @OptionGroup var global: GlobalOptions

        @OptionGroup var paging: PageOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.page(try await database.sessions.list(page: paging.request, as: principal), noun: "sessions")
        }
    }

    /// `dryad sessions show`: a session with its executions.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a session and its executions.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Session id.")
        var id: String
        @OptionGroup var paging: PageOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let detail = try await database.sessions.show(id, page: paging.request, as: principal)
            switch global.output {
            case .table:
                Printer.out(Printer.fieldBlock(detail.session.fields))
                if !detail.executions.isEmpty {
                    Printer.out("")
                    Printer.out(Printer.table(header: ExecutionRecord.columns, rows: detail.executions.map(\.row)))
                }
                if let next = detail.executionsNextCursor { Printer.message("more executions: pass --cursor \(next)") }
            case .json, .jsonl:
                try global.printer.result(detail, text: "")
            }
        }
    }
}

extension ToolSession: TableRepresentable {
    static let columns = ["ID", "STATUS", "EXECUTIONS", "CREATED", "LABEL"]

    var row: [String] { [id, status.rawValue, String(executionCount), createdAt, label ?? ""] }

    var fields: [(String, String)] {
        [
            ("id", id), ("label", label ?? "-"), ("status", status.rawValue), ("principal", principal),
            ("executions", String(executionCount)), ("created_at", createdAt), ("ended_at", endedAt ?? "-"),
        ]
    }
}
