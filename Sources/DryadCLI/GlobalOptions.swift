import ArgumentParser
import DryadCore
import Foundation

/// Options every command takes: where the database is and how to print.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("SQLite database file (default: $DRYAD_DB, else $XDG_DATA_HOME/dryad/dryad.db).", valueName: "path"))
    var db: String?

    @Option(name: [.short, .long], help: "Output format: table, json or jsonl.")
    var output: OutputFormat = .table

    var printer: Printer { Printer(format: output) }

    /// Opens (creating and migrating if needed) the database these options point at.
    func openDatabase() throws(DryadError) -> DryadDatabase {
        let path = try DatabaseLocation.resolve(explicit: db, environment: ProcessInfo.processInfo.environment)
        return try DryadDatabase(path: path)
    }

    /// The principal the CLI acts as: the local operator who owns the database file.
    var principal: Principal {
        Principal.localOperator(user: Self.unixUser)
    }

    private static var unixUser: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return ProcessInfo.processInfo.environment["USER"] ?? String(getuid())
    }
}
