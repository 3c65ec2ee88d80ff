import ArgumentParser
import DryadCore
import DryadMCP
import Foundation

/// `dryad servers …`: upstream MCP servers whose tools dryad registers, permits, runs and
/// audits as its own (admins only).
struct ServersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "servers", abstract: "Manage upstream MCP servers whose tools dryad fronts.",
        subcommands: [Add.self, List.self, Get.self, Sync.self, Remove.self])

    /// `dryad servers add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Register an upstream MCP server (stdio program or Streamable HTTP URL); sync it to take its tools.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Name: \(NameRule.serverName.summary) (with --file, default: from the manifest's name).")) var name: String?
        @OptionGroup var transport: ServerTransportOptions
        @Option(help: ArgumentHelp("Put this before each tool's name with __ (default: the server's name; '' for none).", valueName: "prefix"))
        var prefix: String?
        @Option(name: .customLong("include"), help: ArgumentHelp("Take only upstream tools matching this glob (repeatable).", valueName: "glob"))
        var include: [String] = []
        @Option(name: .customLong("exclude"), help: ArgumentHelp("Leave out upstream tools matching this glob (repeatable).", valueName: "glob"))
        var exclude: [String] = []
        @Flag(help: "Sync as soon as the server says its tools changed (else the change is only shown by servers list).")
        var autoSync = false
        @Argument(parsing: .postTerminator, help: ArgumentHelp("Further arguments of the --command program, after --.", valueName: "arg"))
        var arguments: [String] = []

        func validate() throws {
            if name == nil && transport.file == nil { throw ValidationError("give the server's NAME") }
            try transport.validate(extraArguments: arguments)
        }

        func run() async throws {
            let manifest = try transport.manifest()
            guard let name = name ?? manifest?.suggestedName else { throw DryadError.invalidInput("give the server's NAME") }
            let server = UpstreamServer(
                name: name, transport: try transport.transport(extraArguments: arguments, manifest: manifest), prefix: prefix, include: include,
                exclude: exclude, autoSync: autoSync)
            let (database, principal) = try await global.open()
            let added = try await database.servers.add(server, as: principal)
            if let manifest {
                // A foreign format: what was not used is said, not refused.
                var view = added.json.objectValue ?? [:]
                view["ignored"] = .array(manifest.ignored.map(JSONValue.string))
                view["variables"] = .array(manifest.variables.map(JSONValue.string))
                try global.printer.result(JSONValue.object(view), text: ServerView(added).text)
                if global.output == .table {
                    if !manifest.variables.isEmpty {
                        Printer.message("reads from dryad's environment: \(manifest.variables.joined(separator: " "))")
                    }
                    if !manifest.ignored.isEmpty { Printer.message("ignored from the manifest: \(manifest.ignored.joined(separator: " "))") }
                }
            } else {
                try global.printer.record(ServerView(added))
            }
        }
    }

    /// `dryad servers list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List upstream servers; CHANGED says the server's tools changed since the last sync.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let servers = try await database.servers.list(as: principal).map(ServerView.init)
            try global.printer.page(Page(items: servers, nextCursor: nil), noun: "servers")
        }
    }

    /// `dryad servers get`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show an upstream server.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(ServerView(try await database.servers.get(name, as: principal)))
        }
    }

    /// `dryad servers sync`.
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync", abstract: "Take the server's tools: new ones registered, changed schemas as new versions, gone ones deprecated.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            let (database, principal) = try await global.open()
            let pool = MCPUpstreamPool(database: database, environment: ProcessInfo.processInfo.environment)
            let result: Result<SyncReport, DryadError>
            do {
                result = .success(try await database.servers.sync(name, using: pool, as: principal))
            } catch {
                result = .failure(error)
            }
            await pool.shutdown()
            try global.printer.record(SyncView(report: try result.get()))
        }
    }

    /// `dryad servers remove`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an upstream server; its tools are deprecated.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            let (database, principal) = try await global.open()
            let deprecated = try await database.servers.remove(name, client: nil, as: principal)
            try global.printer.result(
                JSONValue.object(["removed": .string(name), "deprecated": .array(deprecated.map(JSONValue.string))]),
                text: "removed server \(name)" + (deprecated.isEmpty ? "" : "; deprecated \(deprecated.joined(separator: ", "))"))
        }
    }
}

/// How `servers add` reaches the server: `--command` (stdio), `--url` (Streamable HTTP) or a
/// registry manifest (`--file server.json`), with the sandbox flags applying to a program.
struct ServerTransportOptions: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("The server described in the MCP registry's server.json format ('-' for stdin).", valueName: "file"))
    var file: String?

    @Option(
        name: .customLong("command"), parsing: .unconditionalSingleValue,
        help: ArgumentHelp("Run this program as a stdio server: the first --command is the program, each further one an argument.", valueName: "arg"))
    var command: [String] = []

    @Option(name: .customLong("url"), help: ArgumentHelp("The server's Streamable HTTP endpoint (http:// or https://).", valueName: "url"))
    var url: String?

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp("HTTP header for --url, as 'Name: value'; ${NAME} is read from dryad's environment (repeatable).", valueName: "header"))
    var headers: [String] = []

    @Flag(help: "Let --url reach loopback, link-local and private addresses.")
    var allowPrivate = false

    @OptionGroup var program: ProgramOptions

    func validate(extraArguments: [String]) throws {
        let program = !command.isEmpty || !extraArguments.isEmpty
        guard [program, url != nil, file != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --command, --url and --file")
        }
        if headers.isEmpty == false && url == nil { throw ValidationError("--header needs --url") }
        if allowPrivate && url == nil && file == nil { throw ValidationError("--allow-private needs --url or --file") }
        if self.program.isGiven && !program && file == nil {
            throw ValidationError("--env, --cwd, --sandbox, --network, --allow-read and --allow-write need --command or --file")
        }
    }

    /// The `--file` manifest, read and checked by the core's rules; nil without `--file`.
    func manifest() throws(DryadError) -> ServerManifest? {
        guard let file else { return nil }
        let data = try InputReader.read(path: file)
        guard data.count <= ServerManifest.maxBytes else { throw .invalidInput("\(file) is larger than \(ServerManifest.maxBytes / 1024 / 1024) MiB") }
        return try ServerManifest(json: try JSONValue.parse(data))
    }

    /// The transport, checked by the core's rules (the same as a command or HTTP executor's);
    /// a manifest's program gets the sandbox and environment flags given beside it.
    func transport(extraArguments: [String], manifest: ServerManifest?) throws(DryadError) -> UpstreamTransport {
        var fields: [String: JSONValue]
        if let manifest {
            fields = manifest.transport.json.objectValue ?? [:]
            if case .stdio = manifest.transport { try program.apply(to: &fields) } else { fields["allow_private"] = .bool(allowPrivate) }
        } else if let url {
            fields = ["kind": .string("http"), "url": .string(url), "allow_private": .bool(allowPrivate)]
            fields["headers"] = .object(try ProgramOptions.headers(headers))
        } else {
            fields = ["kind": .string("stdio"), "argv": .array((command + extraArguments).map(JSONValue.string))]
            try program.apply(to: &fields)
        }
        return try UpstreamTransport(json: .object(fields))
    }
}

/// An upstream server as the CLI prints it.
struct ServerView: Encodable, TableRepresentable, Sendable {
    let server: UpstreamServer

    init(_ server: UpstreamServer) { self.server = server }

    func encode(to encoder: any Encoder) throws { try server.json.encode(to: encoder) }

    static let columns = ["NAME", "TRANSPORT", "TARGET", "PREFIX", "CHANGED", "SYNCED_AT"]

    var target: String {
        switch server.transport {
        case .stdio(let command): command.argv.joined(separator: " ")
        case .http(let http): http.url
        }
    }

    var row: [String] {
        [
            server.name, server.transport.kind, target, server.prefix.isEmpty ? "-" : server.prefix, server.changedAt == nil ? "no" : "yes",
            server.syncedAt ?? "never",
        ]
    }

    /// The record as `record` prints it in table mode.
    var text: String { Printer.fieldBlock(fields) }

    var fields: [(String, String)] {
        [
            ("name", server.name), ("transport", server.transport.kind), ("target", target), ("details", server.transport.json.canonicalText),
            ("prefix", server.prefix.isEmpty ? "-" : server.prefix),
            ("include", server.include.isEmpty ? "*" : server.include.joined(separator: " ")),
            ("exclude", server.exclude.isEmpty ? "-" : server.exclude.joined(separator: " ")), ("auto_sync", server.autoSync ? "yes" : "no"),
            ("changed_at", server.changedAt ?? "-"), ("synced_at", server.syncedAt ?? "never"),
            ("upstream", server.upstreamInfo?.canonicalText ?? "-"), ("created_at", server.createdAt),
        ]
    }
}

/// A sync's report as the CLI prints it.
struct SyncView: Encodable, TableRepresentable {
    let report: SyncReport

    func encode(to encoder: any Encoder) throws { try report.json.encode(to: encoder) }

    static let columns = ["SERVER"]
    var row: [String] { [report.server] }

    var fields: [(String, String)] {
        func list(_ names: [String]) -> String { names.isEmpty ? "-" : names.joined(separator: " ") }
        return [
            ("server", report.server), ("added", list(report.added)), ("versioned", list(report.versioned)), ("updated", list(report.updated)),
            ("deprecated", list(report.deprecated)), ("unchanged", list(report.unchanged)),
            ("skipped", report.skipped.isEmpty ? "-" : report.skipped.map { "\($0.tool) (\($0.reason))" }.joined(separator: "; ")),
            ("upstream", report.upstreamInfo?.canonicalText ?? "-"),
        ]
    }
}
