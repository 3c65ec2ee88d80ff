import ArgumentParser
import DryadCore
import Foundation

/// `dryad trace`: the story of a memory context, oldest first.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show what happened to a memory context, oldest first: versions, runs, errors, shares, decisions.",
        discussion:
            "Runs of tools you cannot read and errors you could not list are left out; access decisions are every principal's for an admin, your own otherwise (allowed reads are left out). -o json or jsonl gives one object per event with a kind: run, version, share, unshare, error, error_resolved, decision."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Context id.", completion: DatabaseCompletion.contexts)
    var context: String

    @Flag(help: "Include the context's descendants that you may read.")
    var subtree = false

    @Option(help: ArgumentHelp("Only events since an RFC 3339 time or a duration back from now (15m, 2h, 7d).", valueName: "when"))
    var since: String?

    @OptionGroup var paging: PageOptions

    func run() async throws {
        let sinceDate = try since.map { try TimeWindow.since($0) }
        let (database, principal) = try await global.open()
        let page = try await database.memory.trace(context, subtree: subtree, since: sinceDate, page: paging.request, as: principal)
        try global.printer.page(page, noun: "events")
    }
}

extension TraceEvent: TableRepresentable {
    static let columns = ["AT", "EVENT", "CONTEXT", "BY", "WHAT"]

    var row: [String] { [at, kind.rawValue, String(contextID.prefix(8)), principal ?? "-", Printer.visible(summary)] }

    var fields: [(String, String)] {
        [("kind", kind.rawValue), ("at", at), ("context_id", contextID), ("principal", principal ?? "-")]
            + detail.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value.stringValue ?? $0.value.canonicalText) }
    }

    /// One line saying what happened, for the log-like table.
    var summary: String {
        func text(_ name: String) -> String { detail[name]?.stringValue ?? "" }
        func number(_ name: String) -> Int? { detail[name]?.doubleValue.map { Int($0) } }
        let line: String
        switch kind {
        case .version:
            var parts = ["version \(number("version") ?? 0)"]
            if let changed = number("changed_leaves") { parts.append("\(changed) \(changed == 1 ? "leaf" : "leaves") changed") }
            if detail["merged"] == .bool(true) { parts.append("merged") }
            if let run = detail["execution_id"]?.stringValue { parts.append("output of run \(run)") }
            line = parts.joined(separator: ", ")
        case .run:
            var parts = "\(text("tool"))@\(text("tool_version")) \(text("status")) in \(number("duration_ms") ?? 0) ms"
            if let stored = number("stored_version") { parts += ", output stored as version \(stored)" }
            if let reason = detail["not_stored"]?.stringValue { parts += ", output not stored (\(reason))" }
            if let error = detail["error"]?.stringValue { parts += ": \(error)" }
            line = parts + " (run \(text("execution_id")))"
        case .error:
            line = "\(text("error_type")): \(text("message")) (error \(text("error_id")))"
        case .errorResolved:
            line = "resolved \(text("error_type")) (error \(text("error_id")))" + (text("message").isEmpty ? "" : ": \(text("message"))")
        case .share:
            line = "shared with \(text("agent_id")) (\(text("access")))"
        case .unshare:
            line = "no longer shared with \(text("agent_id"))"
        case .decision:
            line = "\(text("decision")) \(text("action")): \(text("reason"))"
        }
        return line.count > 160 ? String(line.prefix(159)) + "…" : line
    }
}
