import ArgumentParser
import DryadCore
import Foundation

/// `dryad audit …`: the tamper-evident trail.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "List, verify, prune and export the audit trail.",
        subcommands: [List.self, Verify.self, Head.self, Prune.self, Export.self], defaultSubcommand: List.self)

    /// `dryad audit list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List audit entries, oldest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only entries of this principal (exact name).") var principal: String?
        @Option(help: "Only this action, such as tools.update (exact).") var action: String?
        @Option(help: "allow or deny.") var decision: String?
        @Option(help: "Only this resource, exactly; tool:NAME also matches each version's tool:NAME@VERSION.") var resource: String?
        @Option(help: ArgumentHelp("RFC 3339 time or a duration back from now.", valueName: "when")) var since: String?
        @OptionGroup var paging: PageOptions

        func run() async throws {
            let query = AuditQuery(
                principal: principal, action: action, decision: decision, resource: resource,
                since: try since.map { try TimeWindow.since($0) })
            let (database, acting) = try await global.open()
            try global.printer.page(try await database.audit.list(query, page: paging.request, as: acting), noun: "entries")
        }
    }

    /// `dryad audit verify`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Check the whole hash chain; exit 1 naming the first entry that does not match.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let result = try await database.audit.verify(as: principal)
            if result.ok {
                try global.printer.result(result, text: "ok: \(result.entries) entries verified")
            } else {
                if global.output != .table { try global.printer.result(result, text: "") }
                Printer.error(code: "audit_mismatch", message: result.problem ?? "the audit trail does not verify", format: global.output)
                throw ExitCode(1)
            }
        }
    }

    /// `dryad audit head`.
    struct Head: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "head", abstract: "Print the newest entry's sequence number and hash, to record outside this machine.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let head = try await database.audit.head(as: principal)
            try global.printer.result(head, text: "\(head.seq) \(head.hash)")
        }
    }

    /// `dryad audit prune`.
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune", abstract: "Remove entries older than WHEN, keeping the rest verifiable from a checkpoint.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("RFC 3339 time or a duration back from now.", valueName: "when")) var before: String

        func run() async throws {
            let cutoff = try TimeWindow.since(before, field: "before")
            let (database, principal) = try await global.open()
            let removed = try await database.audit.prune(before: cutoff, as: principal)
            try global.printer.result(["pruned": removed], text: "pruned \(removed) entries")
        }
    }

    /// `dryad audit export`.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Write the audit trail as JSON lines.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("RFC 3339 time or a duration back from now.", valueName: "when")) var since: String?

        func run() async throws {
            let query = AuditQuery(since: try since.map { try TimeWindow.since($0) })
            let (database, principal) = try await global.open()
            var cursor: String?
            repeat {
                let page = try await database.audit.list(query, page: PageRequest(limit: PageRequest.maxLimit, cursor: cursor), as: principal)
                for entry in page.items { Printer.out(try Printer.encode(entry, pretty: false)) }
                cursor = page.nextCursor
            } while cursor != nil
        }
    }
}

extension AuditEntry: TableRepresentable {
    static let columns = ["SEQ", "AT", "PRINCIPAL", "ACTION", "RESOURCE", "DECISION", "REASON"]
    var row: [String] { [String(seq), at, principal, action, resource, decision, reason] }
    var fields: [(String, String)] {
        [
            ("seq", String(seq)), ("at", at), ("principal", principal), ("action", action), ("resource", resource), ("decision", decision),
            ("reason", reason), ("request_id", requestID ?? "-"), ("prev_hash", prevHash), ("hash", hash),
        ]
    }
}
