import ArgumentParser
import DryadCore
import Foundation

/// `dryad tokens …`: signed access tokens.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Issue, list and revoke signed tokens.", subcommands: [Issue.self, List.self, Revoke.self])

    /// `dryad tokens issue`.
    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "issue", abstract: "Issue a signed token (JWT, HS256) for a principal and print it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The principal the token stands for.") var principal: String
        @Option(help: ArgumentHelp("Lifetime: 90s, 15m, 2h, 7d (default 1h; at most $DRYAD_TOKEN_MAX_TTL, default 30d).", valueName: "duration"))
        var ttl: String?
        @Option(
            help: ArgumentHelp("Write the token to this new file (mode 0600; never over an existing file or a symlink) instead of stdout.", valueName: "path"))
        var outputFile: String?

        func run() async throws {
            let (database, acting) = try await global.open()
            // The file is created before the token is issued, so a path that cannot take it
            // leaves no issued token behind that nobody received.
            let file = try outputFile.map { path throws(DryadError) in try PrivateFile(creating: path) }
            let issued: IssuedToken
            do {
                issued = try await database.tokens.issue(for: principal, ttl: try parseTTL(ttl) ?? TokenService.defaultTTL, as: acting)
            } catch {
                file?.discard()
                throw error
            }
            if let file {
                try file.write(issued.token + "\n")
                try global.printer.result(issued.record, text: "wrote token \(issued.record.id) to \(file.path)")
            } else if global.output == .table {
                Printer.out(issued.token)
            } else {
                try global.printer.result(["token": issued.token, "id": issued.record.id, "expires_at": issued.record.expiresAt], text: "")
            }
        }
    }

    /// `dryad tokens list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List issued tokens (never the tokens themselves).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.page(Page(items: try await database.tokens.list(as: principal), nextCursor: nil), noun: "tokens")
        }
    }

    /// `dryad tokens revoke`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Token id.") var id: String

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.tokens.revoke(id, as: principal))
        }
    }
}

extension TokenRecord: TableRepresentable {
    static let columns = ["ID", "PRINCIPAL", "ISSUED", "EXPIRES", "REVOKED"]
    var row: [String] { [id, principal, issuedAt, expiresAt, revokedAt ?? "-"] }
    var fields: [(String, String)] {
        [("id", id), ("principal", principal), ("kid", kid), ("issued_at", issuedAt), ("expires_at", expiresAt), ("revoked_at", revokedAt ?? "-")]
    }
}
