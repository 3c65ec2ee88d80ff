import ArgumentParser
import DryadCore

/// `dryad db …`: the database file itself.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Inspect the database file.", subcommands: [Status.self])

    /// `dryad db status`: path, schema version, SQLite version and row counts.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the database path, schema version, SQLite version and row counts.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.status(as: principal))
        }
    }
}

extension DatabaseStatus: TableRepresentable {
    static let columns = ["PATH", "SCHEMA", "SQLITE", "SIZE"]
    var row: [String] { [path, String(schemaVersion), sqliteVersion, String(sizeBytes)] }
    var fields: [(String, String)] {
        [("path", path), ("schema_version", String(schemaVersion)), ("sqlite_version", sqliteVersion),
         ("journal_mode", journalMode), ("size_bytes", String(sizeBytes))]
            + counts.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) }
    }
}
