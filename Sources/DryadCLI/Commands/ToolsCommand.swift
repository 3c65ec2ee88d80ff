import ArgumentParser
import DryadCore
import Foundation

/// `dryad tools …`: the tool registry.
struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools", abstract: "Register, find, update and delete tools.",
        subcommands: [Register.self, List.self, Get.self, Update.self, Delete.self, Execute.self, History.self, Stats.self])
}

extension ToolsCommand {
    /// `dryad tools register`: adds a tool, or a new version of one.
    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register",
            abstract: "Register a tool version from flags, or definitions from a JSON/YAML file.",
            discussion: "A new NAME creates a tool; a known NAME with a new --version adds a version. An existing NAME@VERSION is a conflict (exit 5).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("Tool name: \(NameRule.toolName.summary)."))
        var name: String?

        @Option(help: "What the tool does (required without --file).")
        var description: String?

        @Option(help: "Semantic version (default 1.0.0).")
        var version: String?

        @Option(help: ArgumentHelp("JSON Schema of the input, inline or @FILE (default {\"type\":\"object\"}).", valueName: "json|@file"))
        var inputSchema: String?

        @Option(help: ArgumentHelp("JSON Schema of the output, inline or @FILE.", valueName: "json|@file"))
        var outputSchema: String?

        @OptionGroup var executor: ExecutorOptions

        @Option(name: .customLong("tag"), help: ArgumentHelp("Tag (repeatable).", valueName: "tag"))
        var tags: [String] = []

        @Option(help: ArgumentHelp("Metadata object, inline or @FILE.", valueName: "json|@file"))
        var metadata: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("JSON or YAML file with one definition or a list ('-' for stdin).", valueName: "file"))
        var file: String?

        func validate() throws {
            if file != nil {
                let flags =
                    name != nil || description != nil || version != nil || inputSchema != nil || outputSchema != nil
                    || executor.describesExecutor || executor.timeout != nil || !tags.isEmpty || metadata != nil
                if flags { throw ValidationError("--file cannot be combined with NAME or definition flags") }
            } else {
                if name == nil { throw ValidationError("Missing expected argument '<name>' (or pass --file)") }
                if description == nil { throw ValidationError("Missing expected option '--description <description>'") }
                if executor.timeout != nil && !executor.describesExecutor {
                    throw ValidationError("--timeout needs --command or --http")
                }
            }
        }

        func run() async throws {
            let definitions = try file.map(Self.definitions(fromFile:)) ?? [try definitionFromFlags()]
            let (database, principal) = try await global.open()
            let registered = try await database.tools.register(definitions, as: principal)
            if file == nil, let only = registered.first {
                try global.printer.record(only)
            } else {
                try global.printer.page(Page(items: registered, nextCursor: nil), noun: "tools")
            }
        }

        private func definitionFromFlags() throws(DryadError) -> ToolDefinition {
            var fields: [String: JSONValue] = [
                "name": .string(name ?? ""), "description": .string(description ?? ""),
                "tags": .array(tags.map(JSONValue.string)),
            ]
            if let version { fields["version"] = .string(version) }
            if let inputSchema { fields["input_schema"] = try InputReader.json(inputSchema, flag: "--input-schema") }
            if let outputSchema { fields["output_schema"] = try InputReader.json(outputSchema, flag: "--output-schema") }
            if let metadata { fields["metadata"] = try InputReader.json(metadata, flag: "--metadata") }
            if let executorJSON = try executor.json() { fields["executor"] = executorJSON }
            return try ToolDefinition(json: .object(fields))
        }

        /// Every definition in a file: each document is one definition or a list of them.
        static func definitions(fromFile path: String) throws(DryadError) -> [ToolDefinition] {
            let documents = try InputReader.documents(path: path)
            var values: [JSONValue] = []
            for document in documents {
                if case .array(let items) = document { values += items } else { values.append(document) }
            }
            let name = path == "-" ? "stdin" : path
            var definitions: [ToolDefinition] = []
            for (index, value) in values.enumerated() {
                do {
                    definitions.append(try ToolDefinition(json: value, path: values.count > 1 ? "[\(index)]" : ""))
                } catch {
                    throw .invalidInput("\(name): \(error.message)")
                }
            }
            guard !definitions.isEmpty else { throw .invalidInput("\(name): no tool definitions") }
            return definitions
        }
    }

    /// `dryad tools list`: the latest version of each tool, or every version.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List tools sorted by name (latest version of each unless --all-versions).")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Match name, description or tags (case-insensitive substring).")
        var query: String?

        @Option(name: .customLong("tag"), help: ArgumentHelp("Only tools with this tag (repeatable; all must match).", valueName: "tag"))
        var tags: [String] = []

        @Option(help: "Only versions with this status: active, deprecated or disabled.")
        var status: ToolStatus?

        @Option(help: "Only command tools with this sandbox: contained or none.")
        var sandbox: SandboxPolicy.Mode?

        @Option(help: ArgumentHelp("Only tools you hold this level on: read, execute or write (execute: the tools you may run).", valueName: "level"))
        var can: ToolLevel?

        @Flag(help: "List every version, not only the latest.")
        var allVersions = false

        @OptionGroup var paging: PageOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let query = ToolQuery(text: query, tags: tags, status: status, sandbox: sandbox, allVersions: allVersions, can: can)
            let page = try await database.tools.list(query, page: paging.request, as: principal)
            try global.printer.page(page, noun: "tools")
        }
    }

    /// `dryad tools get`: one tool version.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a tool: NAME (latest version), NAME@VERSION or id.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "NAME, NAME@VERSION or id.", completion: DatabaseCompletion.tools)
        var ref: String

        func run() async throws {
            let reference = try ToolReference(ref)
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.tools.get(reference, as: principal))
        }
    }

    /// `dryad tools update`: changes the mutable fields of one version.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Change the description, tags, metadata, status or executor of a tool version.",
            discussion:
                "Schemas are fixed per version: register a new version to change them. Executor flags replace the whole executor; --timeout alone changes only its timeout."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "NAME (latest version), NAME@VERSION or id.", completion: DatabaseCompletion.tools)
        var ref: String

        @Option(help: "New description.")
        var description: String?

        @Option(name: .customLong("tag"), help: ArgumentHelp("Replace the tags with these (repeatable).", valueName: "tag"))
        var tags: [String] = []

        @Flag(help: "Remove every tag.")
        var clearTags = false

        @Option(help: ArgumentHelp("Replace the metadata object, inline or @FILE.", valueName: "json|@file"))
        var metadata: String?

        @Option(help: "New status: active, deprecated or disabled.")
        var status: ToolStatus?

        @OptionGroup var executor: ExecutorOptions

        @Flag(help: "Remove the executor.")
        var noExecutor = false

        @Option(help: "Refuse the update (exit 5) unless the version is at this revision.")
        var ifRevision: Int?

        func validate() throws {
            if clearTags && !tags.isEmpty { throw ValidationError("--tag and --clear-tags are mutually exclusive") }
            if noExecutor && (executor.describesExecutor || executor.timeout != nil) {
                throw ValidationError("--no-executor cannot be combined with executor flags")
            }
        }

        func run() async throws {
            let reference = try ToolReference(ref)
            var changes = ToolChanges(description: description, status: status)
            if clearTags { changes.tags = [] } else if !tags.isEmpty { changes.tags = tags }
            if let metadata {
                guard case .object(let object) = try InputReader.json(metadata, flag: "--metadata") else {
                    throw DryadError.invalidInput("--metadata: expected a JSON object")
                }
                changes.metadata = object
            }
            if noExecutor {
                changes.executor = .remove
            } else if let json = try executor.json() {
                changes.executor = .replace(try ToolEndpoint(json: json))
            } else if let timeout = executor.timeout {
                changes.executor = .timeout(timeout)
            }
            let (database, principal) = try await global.open()
            let updated = try await database.tools.update(reference, changes, ifRevision: ifRevision.map { ExpectedNumbers($0) }, as: principal)
            try global.printer.record(updated)
        }
    }

    /// `dryad tools delete`: removes a version or a whole tool.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete a tool version (NAME@VERSION) or a tool (NAME; --all-versions when it has several).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "NAME, NAME@VERSION or id.", completion: DatabaseCompletion.tools)
        var ref: String

        @Flag(help: "Delete every version of the tool.")
        var allVersions = false

        func run() async throws {
            let reference = try ToolReference(ref)
            let (database, principal) = try await global.open()
            let deleted = try await database.tools.delete(reference, allVersions: allVersions, as: principal)
            let page = Page(items: deleted, nextCursor: nil)
            try global.printer.result(page, text: deleted.map { "deleted \($0.reference)" }.joined(separator: "\n"))
        }
    }
}

extension ToolStatus: ExpressibleByArgument {}

extension ToolVersion: TableRepresentable {
    static let columns = ["NAME", "VERSION", "STATUS", "TAGS", "DESCRIPTION"]

    var row: [String] {
        let summary = description.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return [
            name, version, status.rawValue, tags.joined(separator: ","),
            summary.count > 60 ? String(summary.prefix(59)) + "…" : summary,
        ]
    }

    var fields: [(String, String)] {
        [
            ("name", name), ("version", version), ("id", id), ("status", status.rawValue),
            ("revision", String(revision)), ("description", description),
            ("tags", tags.isEmpty ? "-" : tags.joined(separator: ", ")),
            ("executor", executorSummary), ("input_schema", inputSchema.canonicalText),
            ("output_schema", outputSchema?.canonicalText ?? "-"),
            ("metadata", metadata.isEmpty ? "-" : JSONValue.object(metadata).canonicalText),
            ("created_at", createdAt), ("updated_at", updatedAt),
        ]
    }

    private var executorSummary: String {
        switch executor {
        case nil: return "-"
        case .command(let c)?:
            return "command \(c.argv.joined(separator: " ")) (timeout \(Self.seconds(c.timeoutSeconds)); sandbox \(Self.describe(c.sandbox)))"
        case .http(let h)?: return "http \(h.method) \(h.url) (timeout \(Self.seconds(h.timeoutSeconds)))"
        case .mcp(let m)?: return "mcp \(m.tool) on server \(m.server) (timeout \(Self.seconds(m.timeoutSeconds)))"
        }
    }

    /// The sandbox in a few words: "contained, no network, read /srv/data" or "none (unconfined)".
    private static func describe(_ sandbox: SandboxPolicy) -> String {
        guard sandbox.mode == .contained else { return "none (unconfined)" }
        var parts = ["contained", sandbox.network ? "network" : "no network"]
        if !sandbox.allowRead.isEmpty { parts.append("read " + sandbox.allowRead.joined(separator: " ")) }
        if !sandbox.allowWrite.isEmpty { parts.append("write " + sandbox.allowWrite.joined(separator: " ")) }
        return parts.joined(separator: ", ")
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? "\(Int(value))s" : "\(value)s"
    }
}
