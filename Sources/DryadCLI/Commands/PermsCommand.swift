import ArgumentParser
import DryadCore
import Foundation

/// `dryad perms …`: tool permissions.
struct PermsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perms", abstract: "Grant, revoke, list and check tool permissions.",
        subcommands: [Grant.self, Revoke.self, List.self, Check.self])

    /// `dryad perms grant`.
    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant", abstract: "Grant read, write or execute on a tool (execute and write imply read).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Tool name or id.", completion: DatabaseCompletion.tools) var tool: String
        @OptionGroup var grantee: GranteeOptions
        @Option(help: "read, write or execute.") var level: ToolLevel

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.permissions.grant(tool, to: grantee.grantee, level: level, as: principal))
        }
    }

    /// `dryad perms revoke`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a grant.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Tool name or id.", completion: DatabaseCompletion.tools) var tool: String
        @OptionGroup var grantee: GranteeOptions
        @Option(help: "read, write or execute.") var level: ToolLevel

        func run() async throws {
            let (database, principal) = try await global.open()
            guard let revoked = try await database.permissions.revoke(tool, from: grantee.grantee, level: level, as: principal) else {
                Printer.message(
                    "no \(level.rawValue) grant on \(tool) for \(grantee.principal ?? "every \(grantee.principalType?.rawValue ?? "")"); nothing changed")
                return
            }
            try global.printer.record(revoked)
        }
    }

    /// `dryad perms list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List grants.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only grants on this tool.") var tool: String?
        @Option(help: "Only grants that apply to this principal (by name or type).") var principal: String?

        func run() async throws {
            let (database, acting) = try await global.open()
            let grants = try await database.permissions.list(tool: tool, principal: principal, as: acting)
            try global.printer.page(Page(items: grants, nextCursor: nil), noun: "grants")
        }
    }

    /// `dryad perms check`.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Print whether a principal holds a level on a tool and the rule that decided (exit 0 allow, 4 deny).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Tool name or id.", completion: DatabaseCompletion.tools) var tool: String
        @Option(help: "The principal to check.") var principal: String
        @Option(help: "read, write or execute.") var level: ToolLevel

        func run() async throws {
            let (database, acting) = try await global.open()
            let decision = try await database.permissions.check(tool, principal: principal, level: level, as: acting)
            try global.printer.result(decision, text: "\(decision.decision): \(decision.reason)")
            if !decision.allowed { throw ExitCode(4) }
        }
    }
}

extension ToolLevel: ExpressibleByArgument {}

extension ToolGrant: TableRepresentable {
    static let columns = ["TOOL", "PRINCIPAL", "TYPE", "LEVEL", "CREATED"]
    var row: [String] { [tool, principal ?? "-", principalType?.rawValue ?? "-", level.rawValue, createdAt] }
    var fields: [(String, String)] { zip(Self.columns.map { $0.lowercased() }, row).map { ($0, $1) } }
}
