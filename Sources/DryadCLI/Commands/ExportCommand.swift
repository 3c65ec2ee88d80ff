import ArgumentParser
import DryadCore
import Foundation

/// `dryad export`: a JSON-lines bundle of the database.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the database as a JSON-lines bundle (stdout, or a file written atomically).",
        discussion:
            "Signing keys and tokens are never exported. `dryad import` loads a bundle into an empty database; exporting that database again gives the same bytes."
    )

    @OptionGroup var global: GlobalOptions
    @Option(
        help: ArgumentHelp(
            "Comma-separated sections: tools, principals, permissions, memory, errors, executions, audit (default: all).",
            valueName: "sections"))
    var include: String?
    @Option(help: ArgumentHelp("Write the bundle to this file (mode 0600) instead of stdout.", valueName: "path"))
    var outputFile: String?
    @Flag(help: "Encrypt the bundle (AES-256-GCM) with a key derived from the key file, or from --encryption-key.") var encrypt = false
    @OptionGroup var encryption: EncryptionOptions

    func run() async throws {
        var sections = Set(BundleSection.allCases)
        if let include {
            sections = []
            for name in include.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard let section = BundleSection(rawValue: name) else {
                    throw ValidationError(
                        "--include: unknown section '\(name)' (choose from \(BundleSection.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                sections.insert(section)
            }
        }
        // Open (and authenticate) first, so a refusal leaves no partial file behind.
        let (database, principal) = try await global.open()
        let writer = try BundleFileWriter(path: outputFile, sealer: encrypt ? FileSealer(key: try await encryption.key(for: database)) : nil)
        let progress = ProgressLine(label: "exporting", total: nil, threshold: 0)
        let summary: BundleSummary
        do {
            summary = try await database.bundles.export(
                sections, to: { line in try writer.write(line) },
                progress: progress?.counter, as: principal)
            try writer.commit()
        } catch {
            writer.discard()
            throw error
        }
        progress?.finish()
        if let outputFile {
            try global.printer.result(
                summary, text: "exported \(summary.total) rows (\(summary.sections.map(\.rawValue).joined(separator: ", "))) to \(outputFile)")
        } else if isatty(STDERR_FILENO) == 1 {
            Printer.message("exported \(summary.total) rows (\(summary.sections.map(\.rawValue).joined(separator: ", ")))")
        }
    }
}
