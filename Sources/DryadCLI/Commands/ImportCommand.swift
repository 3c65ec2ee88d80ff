import ArgumentParser
import DryadCore
import Foundation

/// `dryad import PATH`: loads a bundle into an empty database.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a bundle written by `dryad export` into an empty database, all or nothing.",
        discussion:
            "An import that brings the audit trail adds no entry of its own (the trail is the source's history and still verifies); otherwise the import is the new trail's first entry."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The bundle, or '-' for stdin.") var path: String

    func run() async throws {
        let reader = try BundleLineReader(path: path)
        let progress = ProgressLine(label: "importing", total: nil, threshold: 0)
        let (database, principal) = try await global.open()
        let summary = try await database.bundles.import(
            from: { try reader.next() },
            progress: progress?.counter, as: principal)
        progress?.finish()
        try global.printer.result(
            summary, text: "imported \(summary.total) rows (\(summary.sections.map(\.rawValue).joined(separator: ", "))) into \(database.path)")
    }
}
