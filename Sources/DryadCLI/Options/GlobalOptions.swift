import ArgumentParser
import DryadCore
import Foundation

/// Options every command takes: where the database is and how to print.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("SQLite database file (default: $DRYAD_DB, else $XDG_DATA_HOME/dryad/dryad.db).", valueName: "path"))
    var db: String?

    @Option(name: [.short, .long], help: "Output format: table, json or jsonl.")
    var output: OutputFormat = .table

    @Option(name: .customLong("as"), help: ArgumentHelp("Act as this principal (default: $DRYAD_AS, else the local operator).", valueName: "name"))
    var actAs: String?

    @Option(help: ArgumentHelp("Act as the subject of the token in this file (default: the token in $DRYAD_TOKEN).", valueName: "path"))
    var tokenFile: String?

    @Option(
        help: ArgumentHelp(
            "The key file that seals signing keys and the audit chain (default: $DRYAD_KEY_FILE, else dryad.key beside the database).", valueName: "path"))
    var keyFile: String?

    var printer: Printer { Printer(format: output) }

    /// Opens (creating and migrating if needed) the database these options point at.
    func openDatabase() throws(DryadError) -> DryadDatabase {
        let environment = ProcessInfo.processInfo.environment
        let path = try DatabaseLocation.resolve(explicit: db, environment: environment)
        let database = try DryadDatabase(
            path: path, limits: try .from(environment: environment), keyFile: Self.keyFile(explicit: keyFile, environment: environment))
        for warning in database.warnings { Printer.message("dryad: warning: \(warning)") }
        return database
    }

    /// Opens the database and decides who is acting: `--token-file` or `--as` (exclusive), else
    /// `DRYAD_TOKEN`, else `DRYAD_AS`, else the local operator who owns the database file (an
    /// admin). Flags beat the environment, so `--as` works in a shell that exports a token.
    func open() async throws(DryadError) -> (DryadDatabase, Principal) {
        let database = try openDatabase()
        let environment = ProcessInfo.processInfo.environment
        let requestID = UUID().uuidString.lowercased()
        if let token = try token() {
            return (database, try await database.tokenVerifier.verify(token, requestID: requestID))
        }
        if let name = actAs ?? environment["DRYAD_AS"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return (database, try await database.principals.acting(as: name, requestID: requestID))
        }
        var principal = Principal.localOperator(user: Self.unixUser)
        principal.requestID = requestID
        return (database, principal)
    }

    /// The token to act with: `--token-file`'s, else `DRYAD_TOKEN` unless `--as` is given; nil
    /// when a name (or the local operator) acts instead.
    func token() throws(DryadError) -> String? {
        if let tokenFile {
            return String(decoding: try InputReader.read(path: tokenFile), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if actAs == nil, let token = ProcessInfo.processInfo.environment["DRYAD_TOKEN"], !token.isEmpty {
            return token.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    func validate() throws {
        if actAs != nil && tokenFile != nil { throw ValidationError("--as and --token-file are mutually exclusive") }
    }

    private static var unixUser: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return ProcessInfo.processInfo.environment["USER"] ?? String(getuid())
    }

    /// `--key-file`, else a non-empty `DRYAD_KEY_FILE`, else nil (beside the database).
    static func keyFile(explicit: String?, environment: [String: String]) -> String? {
        explicit ?? environment["DRYAD_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
