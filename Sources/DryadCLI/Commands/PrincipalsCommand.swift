import ArgumentParser
import DryadCore
import Foundation

/// `dryad principals …`: users, agents and services (admins only).
struct PrincipalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "principals", abstract: "Manage principals: users, agents and services.",
        subcommands: [Add.self, List.self, Show.self, Disable.self, Enable.self, SetRole.self, Remove.self, SetLimit.self, Quota.self, SetQuota.self])

    /// `dryad principals add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a principal.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Name: \(NameRule.principalName.summary) (not anonymous, . or ..).")) var name: String
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

    /// `dryad principals enable`.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled principal: its valid tokens work again.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.principals.enable(name, as: principal))
        }
    }

    /// `dryad principals set-role`.
    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Make a principal an admin or a member.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Argument(help: "admin or member.") var role: Principal.Role

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.principals.setRole(name, role, as: principal))
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

    /// `dryad principals quota`.
    struct Quota: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "quota", abstract: "Show a principal's storage quotas and what it holds.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            let (database, principal) = try await global.open()
            let usage = try await database.principals.quotas(name, as: principal)
            try global.printer.page(Page(items: usage, nextCursor: nil), noun: "quotas")
        }
    }

    /// `dryad principals set-quota`.
    struct SetQuota: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-quota", abstract: "Set a principal's storage quotas (a number, or default).")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Option(help: ArgumentHelp("Bytes of memory its contexts may hold, every version counted (default 268435456).", valueName: "n|default"))
        var memoryBytes: QuotaValue?
        @Option(help: ArgumentHelp("Error logs it may have logged (default 100000).", valueName: "n|default")) var errorLogs: QuotaValue?
        @Option(help: ArgumentHelp("Sessions it may have started (default 10000).", valueName: "n|default")) var sessions: QuotaValue?

        func validate() throws {
            if memoryBytes == nil && errorLogs == nil && sessions == nil {
                throw ValidationError("give at least one of --memory-bytes, --error-logs and --sessions")
            }
        }

        func run() async throws {
            let (database, principal) = try await global.open()
            var limits: [StorageQuota: Int?] = [:]
            if let memoryBytes { limits[.memoryBytes] = memoryBytes.limit }
            if let errorLogs { limits[.errorLogs] = errorLogs.limit }
            if let sessions { limits[.sessions] = sessions.limit }
            let usage = try await database.principals.setQuotas(name, limits, as: principal)
            try global.printer.page(Page(items: usage, nextCursor: nil), noun: "quotas")
        }
    }
}

/// A quota on the command line: a count, or `default`.
struct QuotaValue: ExpressibleByArgument {
    /// Nil for the default.
    let limit: Int?

    init?(argument: String) {
        if argument == "default" {
            limit = nil
        } else if let count = Int(argument), count >= 0 {
            limit = count
        } else {
            return nil
        }
    }
}

extension QuotaUsage: TableRepresentable {
    static let columns = ["QUOTA", "LIMIT", "USED"]
    var row: [String] { [quota.rawValue, isDefault ? "\(limit) (default)" : String(limit), String(used)] }
    var fields: [(String, String)] { [("quota", quota.rawValue), ("limit", String(limit)), ("default", String(isDefault)), ("used", String(used))] }
}

extension Principal.Kind: ExpressibleByArgument {}

extension Principal.Role: ExpressibleByArgument {}

extension PrincipalRecord: TableRepresentable {
    static let columns = ["NAME", "TYPE", "ROLE", "DISABLED", "RATE", "BURST", "CREATED"]
    var row: [String] {
        [name, type.rawValue, role.rawValue, disabled ? "yes" : "no", rate.map { String($0) } ?? "-", burst.map(String.init) ?? "-", createdAt]
    }
    var fields: [(String, String)] { zip(Self.columns.map { $0.lowercased() }, row).map { ($0, $1) } }
}
