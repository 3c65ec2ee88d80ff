import GRDB

extension Migrations {
    /// Upstream MCP servers (issue 25): how each is reached, which tools are taken and under
    /// what prefix, and what dryad last learnt from it. The tools a sync registers are ordinary
    /// tool versions with an executor of kind `mcp`; nothing here refers to them.
    static func createUpstreamServers(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE upstream_server (
                    name TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 32 AND name NOT GLOB '*[^A-Za-z0-9_-]*'),
                    transport TEXT NOT NULL CHECK (json_valid(transport)),
                    prefix TEXT NOT NULL CHECK (length(prefix) <= 32 AND prefix NOT GLOB '*[^A-Za-z0-9_-]*'),
                    include TEXT NOT NULL CHECK (json_valid(include)),
                    exclude TEXT NOT NULL CHECK (json_valid(exclude)),
                    auto_sync INTEGER NOT NULL CHECK (auto_sync IN (0, 1)),
                    changed_at TEXT,
                    synced_at TEXT,
                    upstream TEXT CHECK (upstream IS NULL OR json_valid(upstream)),
                    created_at TEXT NOT NULL,
                    created_by TEXT NOT NULL
                ) STRICT
                """)
    }
}
