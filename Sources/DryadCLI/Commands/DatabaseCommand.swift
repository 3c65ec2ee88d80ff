import ArgumentParser
import DryadCore
import Foundation

/// `dryad db …`: the database file itself.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Inspect, check, back up and restore the database file.",
        subcommands: [Status.self, Backup.self, Restore.self, Check.self, Migrate.self, Vacuum.self])

    /// `dryad db status`: path, schema version, SQLite version and row counts.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "Show the database path, schema version, SQLite version and row counts.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            try global.printer.record(try await database.status(as: principal))
        }
    }
}

extension DatabaseCommand {
    /// `dryad db backup PATH`.
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "backup", abstract: "Write a consistent online copy to a new file and check it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The new file.") var path: String
        @Flag(help: "Encrypt the copy (AES-256-GCM) with a key derived from the key file, or from --encryption-key.") var encrypt = false
        @OptionGroup var encryption: EncryptionOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let key = encrypt ? try await encryption.key(for: database) : nil
            try await database.backup(to: path, encryption: key, as: principal)
            try global.printer.result(
                ["backup": path], text: "backed up \(database.path) to \(path) (integrity ok\(key.map { "; encrypted with key \($0.id)" } ?? ""))")
        }
    }

    /// `dryad db restore PATH [--yes]`.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Replace the database with a healthy dryad database file (asks on a terminal; --yes otherwise).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A file written by `dryad db backup`.") var path: String
        @Flag(help: "Do not ask.") var yes = false
        @OptionGroup var encryption: EncryptionOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw ValidationError("restoring replaces \(database.path): pass --yes when not on a terminal")
                }
                StandardStream.write("Replace everything in \(Printer.visible(database.path)) with \(Printer.visible(path))? [y/N] ", to: STDERR_FILENO)
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    Printer.message("nothing restored")
                    throw ExitCode(1)
                }
            }
            try await database.restore(from: path, encryption: try encryption.givenKey(), as: principal)
            try global.printer.result(["restored": path], text: "restored \(database.path) from \(path)")
        }
    }

    /// `dryad db check`.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Run integrity_check, foreign_key_check, the audit chain check and the read cache trigger check (exit 1 on any failure).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let results = try await database.check(as: principal)
            switch global.output {
            case .table:
                for result in results {
                    Printer.out("\(result.check): \(result.ok ? "ok" : "FAILED") \(result.ok ? "" : result.detail)".trimmingCharacters(in: .whitespaces))
                }
            case .json, .jsonl: try global.printer.page(Page(items: results, nextCursor: nil), noun: "checks")
            }
            if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }
    }

    /// `dryad db migrate`.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate", abstract: "Bring the schema up to date (opening the database does this too) and print its version.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let status = try await database.status(as: principal)
            try global.printer.result(["schema_version": status.schemaVersion], text: "schema version \(status.schemaVersion)")
        }
    }

    /// `dryad db vacuum`.
    struct Vacuum: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "vacuum", abstract: "Rebuild the file to reclaim free space.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            try await database.vacuum(as: principal)
            try global.printer.result(["vacuumed": database.path], text: "vacuumed \(database.path)")
        }
    }
}

extension CheckResult: TableRepresentable {
    static let columns = ["CHECK", "OK", "DETAIL"]
    var row: [String] { [check, ok ? "ok" : "FAILED", detail] }
    var fields: [(String, String)] { [("check", check), ("ok", ok ? "yes" : "no"), ("detail", detail)] }
}

extension DatabaseStatus: TableRepresentable {
    static let columns = ["PATH", "SCHEMA", "SQLITE", "SIZE"]
    var row: [String] { [path, String(schemaVersion), sqliteVersion, String(sizeBytes)] }
    var fields: [(String, String)] {
        [
            ("path", path), ("schema_version", String(schemaVersion)), ("sqlite_version", sqliteVersion),
            ("journal_mode", journalMode), ("size_bytes", String(sizeBytes)),
        ]
            + counts.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) }
    }
}
