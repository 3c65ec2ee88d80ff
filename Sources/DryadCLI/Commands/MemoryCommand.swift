import ArgumentParser
import DryadCore
import Foundation

/// `dryad memory …`: agent memory contexts.
struct MemoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "Store, inspect, search and share agent memory contexts.",
        subcommands: [
            Store.self, Get.self, Update.self, History.self, List.self, Search.self, Parents.self, Children.self,
            Share.self, Unshare.self, Delete.self, Purge.self,
        ])
}

extension MemoryCommand {
    /// `dryad memory store`.
    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "store", abstract: "Store a new context (version 1) and print it.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "The owning agent.") var agent: String
        @Option(help: "Context type (default general).") var type: String = MemoryDraft.defaultType
        @Option(help: ArgumentHelp("Parent context id; it must exist.", valueName: "id"), completion: DatabaseCompletion.contexts) var parent: String?
        @OptionGroup var data: DataOptions
        @Option(name: .customLong("tag"), help: ArgumentHelp("Tag (repeatable).", valueName: "tag")) var tags: [String] = []
        @Option(help: ArgumentHelp("Expire after this long: 90s, 15m, 2h, 7d.", valueName: "duration")) var ttl: String?
        @Option(help: ArgumentHelp("A stable key, unique per agent, that `dryad apply` finds the context by.", valueName: "key")) var key: String?

        func run() async throws {
            let draft = MemoryDraft(
                agentID: agent, contextType: type, data: try data.value() ?? .object([:]),
                parentID: parent, tags: tags, ttl: try parseTTL(ttl), key: key)
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.memory.store(draft, as: principal))
        }
    }

    /// `dryad memory get`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a context, or its effective data after inheritance.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Context id (or give --key).", completion: DatabaseCompletion.contexts) var id: String?
        @Option(help: "The context's key instead of its id.") var key: String?
        @Option(help: ArgumentHelp("With --key: the agent whose key it is (default: the calling agent).", valueName: "agent")) var agent: String?
        @Flag(help: "Merge the ancestors' data from the root down (RFC 7396).") var resolved = false
        @Flag(help: "With --resolved: name the context each leaf came from.") var explain = false
        @Flag(help: "Add the context's latest runs and open errors (10 of each).") var withRuns = false

        func validate() throws {
            if explain && !resolved { throw ValidationError("--explain needs --resolved") }
            if (id == nil) == (key == nil) { throw ValidationError("give a context id or --key, not both") }
            if agent != nil && key == nil { throw ValidationError("--agent goes with --key") }
        }

        func run() async throws {
            let (database, principal) = try await global.open()
            let reference: ContextReference
            if let key {
                guard let owner = agent ?? (principal.kind == .agent ? principal.name : nil) else {
                    throw ValidationError("--key needs --agent: keys are unique per agent, and \(principal.name) is no agent")
                }
                reference = .key(agent: owner, key: key)
            } else {
                reference = .id(id ?? "")
            }
            let memory = database.memory
            let context =
                resolved
                ? try await memory.resolved(reference, explain: explain, withRuns: withRuns, as: principal)
                : try await memory.get(reference, withRuns: withRuns, as: principal)
            try global.printer.record(context)
        }
    }

    /// `dryad memory update`.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Write a new version of a context (replace data, or apply a merge patch).",
            discussion:
                "With --if-version N and a newer current version: --on-conflict reject (default) fails with exit 5; merge does a three-way merge from version N and fails, listing each conflicting pointer, when both sides changed the same path differently."
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Context id.", completion: DatabaseCompletion.contexts) var id: String
        @OptionGroup var data: DataOptions
        @Option(help: ArgumentHelp("RFC 7396 merge patch as JSON, or '-' for stdin.", valueName: "json")) var mergePatch: String?
        @Option(help: ArgumentHelp("File holding the merge patch.", valueName: "path")) var mergePatchFile: String?
        @Option(help: "Refuse or merge unless the context is at this version.") var ifVersion: Int?
        @Option(help: "reject (default) or merge.") var onConflict: MemoryChange.ConflictPolicy = .reject
        @Option(name: .customLong("tag"), help: ArgumentHelp("Replace the tags with these (repeatable).", valueName: "tag")) var tags: [String] = []
        @Option(help: ArgumentHelp("Expire this long from now: 90s, 15m, 2h, 7d.", valueName: "duration")) var ttl: String?

        func validate() throws {
            let given = [data.data != nil || data.dataFile != nil, mergePatch != nil, mergePatchFile != nil].filter { $0 }.count
            if given > 1 { throw ValidationError("give one of --data, --data-file, --merge-patch, --merge-patch-file") }
        }

        func run() async throws {
            var change = MemoryChange(
                tags: tags.isEmpty ? nil : tags, ttl: try parseTTL(ttl), ifVersion: ifVersion.map { ExpectedNumbers($0) }, onConflict: onConflict)
            if let value = try data.value() {
                change.content = .replace(value)
            } else if let mergePatchFile {
                change.content = .mergePatch(try InputReader.jsonDocument(path: mergePatchFile, flag: "--merge-patch-file"))
            } else if mergePatch == "-" {
                change.content = .mergePatch(try InputReader.jsonDocument(path: "-", flag: "--merge-patch"))
            } else if let mergePatch {
                change.content = .mergePatch(try InputReader.json(mergePatch, flag: "--merge-patch"))
            }
            let (database, principal) = try await global.open()
            let updated = try await database.memory.update(id, change, as: principal)
            if updated.merged == true { Printer.message("merged with changes made since version \(ifVersion ?? 0)") }
            try global.printer.record(updated)
        }
    }

    /// `dryad memory history`.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "history", abstract: "List every version of a context with its data, time and principal.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Context id.", completion: DatabaseCompletion.contexts) var id: String
        @OptionGroup var paging: PageOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.page(try await database.memory.history(id, page: paging.request, as: principal), noun: "versions")
        }
    }

    /// Filters shared by list and search.
    struct Filters: ParsableArguments {
        @Option(help: "Only contexts owned by this agent.") var agent: String?
        @Option(help: "Only contexts of this type.") var type: String?
        @Option(name: .customLong("tag"), help: ArgumentHelp("Only contexts with this tag (repeatable: all must match).", valueName: "tag"))
        var tags: [String] = []
        @OptionGroup var paging: PageOptions
    }

    /// `dryad memory list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List contexts, newest first.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var filters: Filters
        @Option(help: ArgumentHelp("Only children of this context.", valueName: "id")) var parent: String?

        func run() async throws {
            let query = MemoryQuery(agentID: filters.agent, contextType: filters.type, tags: filters.tags, parentID: parent)
            let (database, principal) = try await global.open()
            let page = try await database.memory.list(query, page: filters.paging.request, as: principal)
            try global.printer.page(page, noun: "contexts")
        }
    }

    /// `dryad memory search`.
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "search",
            abstract: "Full-text search over data keys and string values, types and tags, best first.",
            discussion: "Words are ANDed; \"quoted phrases\" match in order; prefix* matches word starts.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The search text.") var query: String
        @OptionGroup var filters: Filters
        @Option(help: ArgumentHelp("Only contexts created since an RFC 3339 time or a duration back from now.", valueName: "when")) var since: String?

        func run() async throws {
            let query = MemoryQuery(
                agentID: filters.agent, contextType: filters.type, tags: filters.tags,
                since: try since.map { try TimeWindow.since($0) })
            let (database, principal) = try await global.open()
            let page = try await database.memory.search(self.query, query, page: filters.paging.request, as: principal)
            try global.printer.page(page, noun: "contexts")
        }
    }

    /// `dryad memory parents`.
    struct Parents: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "parents", abstract: "List the ancestors of a context, nearest first.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Context id.", completion: DatabaseCompletion.contexts) var id: String
        @OptionGroup var paging: PageOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.page(try await database.memory.parents(id, page: paging.request, as: principal), noun: "parents")
        }
    }

    /// `dryad memory children`.
    struct Children: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "children", abstract: "List the children of a context (the whole subtree with --recursive).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Context id.", completion: DatabaseCompletion.contexts) var id: String
        @Flag(help: "Include every descendant, breadth first.") var recursive = false
        @OptionGroup var paging: PageOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let children = try await database.memory.children(id, recursive: recursive, page: paging.request, as: principal)
            try global.printer.page(children, noun: "children")
        }
    }

    /// `dryad memory share`.
    struct Share: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "share", abstract: "Share a context and its descendants with another agent.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Context id.", completion: DatabaseCompletion.contexts) var id: String
        @Option(name: .customLong("with"), help: "The agent to share with.") var agent: String
        @Option(help: "read (default) or write.") var access: MemoryAccess = .read

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.memory.share(id, with: agent, access: access, as: principal))
        }
    }

    /// `dryad memory unshare`.
    struct Unshare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unshare", abstract: "Stop sharing a context with an agent.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Context id.", completion: DatabaseCompletion.contexts) var id: String
        @Option(name: .customLong("with"), help: "The agent to stop sharing with.") var agent: String

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.memory.unshare(id, with: agent, as: principal))
        }
    }

    /// `dryad memory delete`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete a context (refused while it has children, unless --recursive).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Context id.", completion: DatabaseCompletion.contexts) var id: String
        @Flag(help: "Delete the whole subtree.") var recursive = false

        func run() async throws {
            let (database, principal) = try await global.open()
            let count = try await database.memory.delete(id, recursive: recursive, as: principal)
            try global.printer.result(["deleted": count], text: "deleted \(count) context\(count == 1 ? "" : "s")")
        }
    }

    /// `dryad memory purge`.
    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "purge", abstract: "Remove expired contexts and print how many.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let count = try await database.memory.purge(as: principal)
            try global.printer.result(["purged": count], text: "purged \(count) expired context\(count == 1 ? "" : "s")")
        }
    }
}

extension MemoryAccess: ExpressibleByArgument {}

extension MemoryChange.ConflictPolicy: ExpressibleByArgument {}

extension MemoryContext: TableRepresentable {
    static let columns = ["ID", "AGENT", "TYPE", "VERSION", "UPDATED", "SUMMARY"]

    var row: [String] {
        let summary = snippet ?? data.canonicalText
        return [id, agentID, contextType, String(version), updatedAt, summary.count > 60 ? String(summary.prefix(59)) + "…" : summary]
    }

    var fields: [(String, String)] {
        var lines: [(String, String)] = [
            ("id", id), ("key", key ?? "-"), ("agent_id", agentID), ("context_type", contextType), ("parent_id", parentID ?? "-"),
            ("version", String(version)), ("tags", tags.isEmpty ? "-" : tags.joined(separator: ", ")),
            ("shared_with", sharedWith.isEmpty ? "-" : sharedWith.map { "\($0.agentID) (\($0.access.rawValue))" }.joined(separator: ", ")),
            ("created_at", createdAt), ("updated_at", updatedAt), ("expires_at", expiresAt ?? "-"),
        ]
        if let unresolvedErrors { lines.append(("unresolved_errors", String(unresolvedErrors))) }
        if let principal { lines.append(("principal", principal)) }
        if let executionID { lines.append(("execution_id", executionID)) }
        if let merged { lines.append(("merged", merged ? "yes" : "no")) }
        lines.append(("data", data.canonicalText))
        for entry in provenance ?? [] { lines.append(("  " + entry.pointer, "from \(entry.contextID)")) }
        if let runs {
            lines.append(("runs", runs.isEmpty ? "-" : String(runs.count)))
            for run in runs {
                lines.append(("  " + run.id, "\(run.startedAt) \(run.toolName)@\(run.toolVersion) \(run.status.rawValue) \(run.durationMs) ms"))
            }
        }
        if let openErrors {
            lines.append(("open_errors", openErrors.isEmpty ? "-" : String(openErrors.count)))
            for error in openErrors {
                lines.append(
                    ("  " + error.id, "\(error.createdAt) \(error.errorType): \(Printer.visible(String(error.errorMessage.prefix(120)), keepingLines: false))"))
            }
        }
        return lines
    }
}
