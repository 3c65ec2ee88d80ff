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
    @Argument(help: "The bundle, or '-' for stdin; an encrypted one (export --encrypt) is decrypted first.") var path: String
    @OptionGroup var encryption: EncryptionOptions

    func run() async throws {
        let (database, principal) = try await global.open()
        var source = path
        if path != "-" && SealedFile.isSealed(path) {
            source = database.path + ".import-\(getpid())"
            try SealedFile.decrypt(path, to: source, key: try await encryption.key(for: database))
        }
        defer { if source != path { unlink(source) } }
        let reader = try BundleLineReader(path: source)
        let progress = ProgressLine(label: "importing", total: nil, threshold: 0)
        let summary = try await database.bundles.import(
            from: { try reader.next() },
            progress: progress?.counter, as: principal)
        progress?.finish()
        try global.printer.result(
            summary, text: "imported \(summary.total) rows (\(summary.sections.map(\.rawValue).joined(separator: ", "))) into \(database.path)")
    }
}
