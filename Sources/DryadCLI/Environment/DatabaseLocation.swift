import DryadCore

/// Decides which SQLite file dryad uses: `--db`, else `DRYAD_DB`, else the XDG data folder.
enum DatabaseLocation {
    /// Resolves the database path from an explicit flag and the environment.
    static func resolve(explicit: String?, environment: [String: String]) throws(DryadError) -> String {
        // An empty --db is a script's unset variable, not a wish for the default file.
        if let explicit {
            guard !explicit.isEmpty else { throw .invalidInput("--db: the path is empty") }
            return explicit
        }
        if let fromEnv = environment["DRYAD_DB"], !fromEnv.isEmpty { return fromEnv }
        if let dataHome = environment["XDG_DATA_HOME"], dataHome.hasPrefix("/") {
            return dataHome + "/dryad/dryad.db"
        }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw .invalidInput("cannot find the database: pass --db PATH or set DRYAD_DB (HOME is not set)")
        }
        return home + "/.local/share/dryad/dryad.db"
    }
}
