import ArgumentParser
import DryadCore
import Foundation

/// `dryad principals …`: users, agents and services (admins only).
struct PrincipalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "principals", abstract: "Manage principals: users, agents and services.",
        subcommands: [Add.self, List.self, Show.self, Disable.self, Remove.self, SetLimit.self])

    /// `dryad principals add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a principal.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name: 1-128 characters of A-Z a-z 0-9 _ - . @ : (not anonymous, . or ..).") var name: String
        @Option(help: "user, agent or service.") var type: Principal.Kind
        @Option(help: "admin or member (default member).") var role: Principal.Role = .member

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.principals.add(name, type: type, role: role, as: principal))
        }
    }

    /// `dryad principals list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List principals.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.page(Page(items: try await database.principals.list(as: principal), nextCursor: nil), noun: "principals")
        }
    }

    /// `dryad principals show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a principal.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.principals.show(name, as: principal))
        }
    }

    /// `dryad principals disable`.
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable a principal: its tokens stop working.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.principals.disable(name, as: principal))
        }
    }

    /// `dryad principals remove`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a principal with its grants and tokens.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            let (database, principal) = try await global.open()
            let removed = try await database.principals.remove(name, as: principal)
            try global.printer.result(removed, text: "removed \(removed.name)")
        }
    }

    /// `dryad principals set-limit`.
    struct SetLimit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-limit", abstract: "Set a principal's request rate for dryad serve.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Option(help: "Requests per second.") var rate: Double
        @Option(help: "Requests allowed in a burst.") var burst: Int

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.principals.setLimit(name, rate: rate, burst: burst, as: principal))
        }
    }
}

/// The grantee flags shared by grant, revoke and check.
struct GranteeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A principal by name.", valueName: "name")) var principal: String?
    @Option(help: ArgumentHelp("Every principal of a type: user, agent or service.", valueName: "type")) var principalType: Principal.Kind?

    func validate() throws {
        if (principal == nil) == (principalType == nil) { throw ValidationError("give exactly one of --principal and --principal-type") }
    }

    var grantee: Grantee {
        if let principal { return .principal(principal) }
        return .type(principalType ?? .user)
    }
}

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
            try global.printer.record(try await database.permissions.revoke(tool, from: grantee.grantee, level: level, as: principal))
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
        @Option(help: ArgumentHelp("Write the token to this file (mode 0600) instead of stdout.", valueName: "path")) var outputFile: String?

        func run() async throws {
            let (database, acting) = try await global.open()
            let issued = try await database.tokens.issue(for: principal, ttl: try parseTTL(ttl) ?? TokenService.defaultTTL, as: acting)
            if let outputFile {
                try Self.writePrivate(issued.token + "\n", to: outputFile)
                try global.printer.result(issued.record, text: "wrote token \(issued.record.id) to \(outputFile)")
            } else if global.output == .table {
                Printer.out(issued.token)
            } else {
                try global.printer.result(["token": issued.token, "id": issued.record.id, "expires_at": issued.record.expiresAt], text: "")
            }
        }

        private static func writePrivate(_ text: String, to path: String) throws(DryadError) {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw .invalidInput("cannot write \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            fchmod(fd, 0o600)
            let bytes = Array(text.utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else { throw .storage("cannot write \(path)") }
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

/// `dryad keys rotate`.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Manage token signing keys.", subcommands: [Rotate.self])

    /// `dryad keys rotate`.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate", abstract: "Add a new signing key; older keys verify until their tokens expire.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let kid = try await database.tokens.rotateKey(as: principal)
            try global.printer.result(["kid": kid], text: "new signing key \(kid)")
        }
    }
}

/// `dryad audit …`: the tamper-evident trail.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "List, verify, prune and export the audit trail.",
        subcommands: [List.self, Verify.self, Prune.self, Export.self], defaultSubcommand: List.self)

    /// `dryad audit list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List audit entries, oldest first.")
        @OptionGroup var global: GlobalOptions
        @Option var principal: String?
        @Option var action: String?
        @Option(help: "allow or deny.") var decision: String?
        @Option var resource: String?
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

extension Principal.Kind: ExpressibleByArgument {}
extension Principal.Role: ExpressibleByArgument {}
extension ToolLevel: ExpressibleByArgument {}

extension PrincipalRecord: TableRepresentable {
    static let columns = ["NAME", "TYPE", "ROLE", "DISABLED", "RATE", "BURST", "CREATED"]
    var row: [String] {
        [name, type.rawValue, role.rawValue, disabled ? "yes" : "no", rate.map { String($0) } ?? "-", burst.map(String.init) ?? "-", createdAt]
    }
    var fields: [(String, String)] { zip(Self.columns.map { $0.lowercased() }, row).map { ($0, $1) } }
}

extension ToolGrant: TableRepresentable {
    static let columns = ["TOOL", "PRINCIPAL", "TYPE", "LEVEL", "CREATED"]
    var row: [String] { [tool, principal ?? "-", principalType?.rawValue ?? "-", level.rawValue, createdAt] }
    var fields: [(String, String)] { zip(Self.columns.map { $0.lowercased() }, row).map { ($0, $1) } }
}

extension TokenRecord: TableRepresentable {
    static let columns = ["ID", "PRINCIPAL", "ISSUED", "EXPIRES", "REVOKED"]
    var row: [String] { [id, principal, issuedAt, expiresAt, revokedAt ?? "-"] }
    var fields: [(String, String)] {
        [("id", id), ("principal", principal), ("kid", kid), ("issued_at", issuedAt), ("expires_at", expiresAt), ("revoked_at", revokedAt ?? "-")]
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
