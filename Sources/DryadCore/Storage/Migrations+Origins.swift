import GRDB

extension Migrations {
    /// Runs through MCP (issue 24): which interface asked for each run (`via`: cli, api or mcp),
    /// the MCP session it came from, and a `cancelled` status for runs their caller ended.
    ///
    /// SQLite cannot change a CHECK constraint in place, so `tool_execution` is rebuilt (the
    /// documented twelve-step way: a new table, the rows copied, the old one dropped and the new
    /// one renamed) and its indexes are made again from their own definitions, read before the
    /// old table goes. No trigger, view or foreign key refers to the table.
    static func recordRunOrigins(_ db: Database) throws {
        let indexes = try String.fetchAll(
            db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tool_execution' AND sql IS NOT NULL")
        let kept = """
            id, tool_id, tool_name, tool_version, session_id, principal, input, output, status, error, exit_code, http_status,
            duration_ms, started_at, finished_at, context_id, stored_output
            """
        try db.execute(
            sql: """
                CREATE TABLE tool_execution_v15 (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
                    tool_id TEXT NOT NULL,
                    tool_name TEXT NOT NULL,
                    tool_version TEXT NOT NULL,
                    session_id TEXT REFERENCES tool_session(id),
                    principal TEXT NOT NULL,
                    input TEXT NOT NULL CHECK (json_valid(input)),
                    output TEXT CHECK (output IS NULL OR json_valid(output)),
                    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'timed_out', 'cancelled', 'rejected', 'denied')),
                    error TEXT,
                    exit_code INTEGER,
                    http_status INTEGER,
                    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
                    started_at TEXT NOT NULL,
                    finished_at TEXT NOT NULL,
                    context_id TEXT,
                    stored_output TEXT CHECK (stored_output IS NULL OR (json_valid(stored_output) AND json_type(stored_output) = 'object')),
                    -- The interface that asked for the run; null for runs recorded before v15.
                    via TEXT CHECK (via IS NULL OR via IN ('cli', 'api', 'mcp')),
                    -- The MCP session (Mcp-Session-Id, or the stdio session's id) of a run asked for over MCP.
                    mcp_session TEXT
                ) STRICT;
                INSERT INTO tool_execution_v15 (\(kept)) SELECT \(kept) FROM tool_execution;
                DROP TABLE tool_execution;
                ALTER TABLE tool_execution_v15 RENAME TO tool_execution;
                """)
        for index in indexes { try db.execute(sql: index) }
    }
}
