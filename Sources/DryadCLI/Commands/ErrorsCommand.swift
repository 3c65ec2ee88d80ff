import ArgumentParser
import DryadCore
import Foundation

/// `dryad errors …`: error logs tied to memory contexts.
struct ErrorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "errors", abstract: "Log, list, show and resolve errors.", subcommands: [Log.self, List.self, Show.self, Resolve.self])

    /// `dryad errors log`.
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "log", abstract: "Log an error, optionally tied to a context.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Error type, e.g. TimeoutError.") var type: String
        @Option(help: "What went wrong.") var message: String
        @Option(help: ArgumentHelp("Stack trace text, or @FILE.", valueName: "text|@file")) var stackTrace: String?
        @Option(help: ArgumentHelp("The context the error belongs to.", valueName: "id")) var context: String?

        func run() async throws {
            var trace = stackTrace
            if let text = stackTrace, text.hasPrefix("@") {
                trace = String(decoding: try InputReader.read(path: String(text.dropFirst())), as: UTF8.self)
            }
            let (database, principal) = try await global.open()
            let record = try await database.errors.log(type: type, message: message, stackTrace: trace, contextID: context, as: principal)
            try global.printer.record(record)
        }
    }

    /// `dryad errors list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List error logs, newest first.")

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only errors of this context.", valueName: "id")) var context: String?
        @Option(help: "Only errors of this type.") var type: String?
        @Flag(help: "Only unresolved errors.") var unresolved = false
        @Option(help: ArgumentHelp("Only errors since an RFC 3339 time or a duration back from now.", valueName: "when")) var since: String?
        @OptionGroup var paging: PageOptions

        func run() async throws {
            let query = ErrorQuery(contextID: context, errorType: type, unresolvedOnly: unresolved, since: try since.map { try TimeWindow.since($0) })
            let (database, principal) = try await global.open()
            try global.printer.page(try await database.errors.list(query, page: paging.request, as: principal), noun: "errors")
        }
    }

    /// `dryad errors show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one error: yours, or one on a context you may write (an admin sees all).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Error id.") var id: String

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.errors.show(id, as: principal))
        }
    }

    /// `dryad errors resolve`.
    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resolve", abstract: "Mark an error resolved (sets fix_applied).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Error id.") var id: String
        @Option(help: "How it was fixed.") var note: String?

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.errors.resolve(id, note: note, as: principal))
        }
    }
}

extension ErrorRecord: TableRepresentable {
    static let columns = ["ID", "CREATED", "TYPE", "RESOLVED", "CONTEXT", "MESSAGE"]

    var row: [String] {
        [
            id, createdAt, errorType, fixApplied ? "yes" : "no", contextID ?? "-",
            errorMessage.count > 60 ? String(errorMessage.prefix(59)) + "…" : errorMessage,
        ]
    }

    var fields: [(String, String)] {
        [
            ("id", id), ("error_type", errorType), ("error_message", errorMessage), ("context_id", contextID ?? "-"),
            ("fix_applied", fixApplied ? "yes" : "no"), ("resolution_note", resolutionNote ?? "-"), ("principal", principal),
            ("created_at", createdAt), ("resolved_at", resolvedAt ?? "-"), ("stack_trace", stackTrace ?? "-"),
        ]
    }
}
