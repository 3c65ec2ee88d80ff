/// Decides which SQLite file dryad uses: `--db`, else `DRYAD_DB`, else the XDG data folder.
public enum DatabaseLocation {
    /// Resolves the database path from an explicit flag and the environment.
    public static func resolve(explicit: String?, environment: [String: String]) throws(DryadError) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
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
