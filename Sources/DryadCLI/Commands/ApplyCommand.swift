import ArgumentParser
import DryadCore
import Foundation

/// `dryad apply -f PATH|-`: declarative fixtures.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or update tools, principals, permissions and memory contexts from YAML or JSON documents.",
        discussion: """
            Each document (or element of a top-level JSON array) has a kind (Tool, Principal, Permission, MemoryContext) and the fields of that resource's \
            -o json form; MemoryContext documents are found again by their key and name their parent by parent_key. \
            Everything is applied in one transaction: all or nothing. Resources missing from the files are left alone.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(
        name: [.customShort("f"), .customLong("file")],
        help: ArgumentHelp("YAML (multi-document) or JSON file, or '-' for stdin (repeatable).", valueName: "path"))
    var files: [String] = []
    @Flag(help: "Print the plan (create, update, unchanged per resource) and write nothing.") var dryRun = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one -f PATH (or -f - for stdin)") }
    }

    func run() async throws {
        var documents: [FixtureDocument] = []
        for path in files {
            let source = path == "-" ? "stdin" : path
            // A JSON array (or a YAML sequence) holds one document per element.
            let values = try InputReader.documents(path: path).flatMap { $0.arrayValue ?? [$0] }
            for (index, json) in values.enumerated() {
                documents.append(FixtureDocument(source: source, index: index + 1, json: json))
            }
        }
        let progress = ProgressLine(label: "applying", total: documents.count, threshold: 300)
        let (database, principal) = try await global.open()
        let plan = try await database.fixtures.apply(
            documents, dryRun: dryRun, progress: progress?.counter,
            as: principal)
        progress?.finish()
        switch global.output {
        case .table:
            Printer.out(
                Printer.table(
                    header: ["ACTION", "KIND", "NAME", "CHANGED"],
                    rows: plan.changes.map { [$0.action.rawValue, $0.kind, $0.name, $0.fields.isEmpty ? "-" : $0.fields.joined(separator: ",")] }))
        case .json: Printer.out(try Printer.encode(plan, pretty: true))
        case .jsonl: for change in plan.changes { Printer.out(try Printer.encode(change, pretty: false)) }
        }
        let counts = "\(plan.count(.create)) to create, \(plan.count(.update)) to update, \(plan.count(.unchanged)) unchanged"
        Printer.message(
            dryRun
                ? "dry run: \(counts); nothing written"
                : "applied: \(plan.count(.create)) created, \(plan.count(.update)) updated, \(plan.count(.unchanged)) unchanged")
    }
}
