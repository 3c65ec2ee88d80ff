import GRDB

extension Migrations {
    /// Runs in memory contexts (issue 23): a run's context, what became of its output, the run
    /// behind a version or an error, how much each version changed, a record of share grants
    /// and revocations, and an index that finds a context's decisions in the audit trail.
    ///
    /// `tool_execution.context_id` has no foreign key, as `tool_name` has none: a deleted
    /// context's runs keep the id as history.
    static func linkRunsToContexts(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE tool_execution ADD COLUMN context_id TEXT;
                -- {"pointer", "stored", "version", "reason"}: null when the run was not asked to store its output
                ALTER TABLE tool_execution ADD COLUMN stored_output TEXT
                    CHECK (stored_output IS NULL OR (json_valid(stored_output) AND json_type(stored_output) = 'object'));
                -- Covering what a trace shows of a run, so it never reads a run's input and output.
                CREATE INDEX tool_execution_by_context ON tool_execution(
                    context_id, started_at, id, tool_id, tool_name, tool_version, status, duration_ms, principal, error, stored_output)
                    WHERE context_id IS NOT NULL;

                ALTER TABLE memory_version ADD COLUMN execution_id TEXT;
                -- Leaves added, removed or changed against the previous version (null before v14).
                ALTER TABLE memory_version ADD COLUMN changed_leaves INTEGER CHECK (changed_leaves IS NULL OR changed_leaves >= 0);
                -- Covering what a trace shows of a version, so it never reads the version's data.
                CREATE INDEX memory_version_by_time ON memory_version(context_id, created_at, version, principal, merged, execution_id, changed_leaves);

                ALTER TABLE error_log ADD COLUMN execution_id TEXT;
                ALTER TABLE error_log ADD COLUMN resolved_by TEXT;
                CREATE INDEX error_log_by_context_time ON error_log(context_id, created_at, id) WHERE context_id IS NOT NULL;

                CREATE TABLE memory_share_event (
                    seq INTEGER PRIMARY KEY,
                    context_id TEXT NOT NULL REFERENCES memory_context(id) ON DELETE CASCADE,
                    agent_id TEXT NOT NULL,
                    -- the access granted; null when revoked
                    access TEXT CHECK (access IS NULL OR access IN ('read', 'write')),
                    principal TEXT NOT NULL,
                    created_at TEXT NOT NULL
                ) STRICT;
                CREATE INDEX memory_share_event_by_context ON memory_share_event(context_id, created_at);

                -- A context's decisions, filtered (allowed reads left out) without reading the entries.
                CREATE INDEX audit_by_resource ON audit_log(resource, at, decision, action);
                """)
        // Grants and tools now also change memory answers (see `readGenerationTables`).
        for table in ["tool_registry", "tool_permission"] {
            for event in ["insert", "update", "delete"] { try db.execute(sql: "DROP TRIGGER IF EXISTS read_generation_\(table)_\(event)") }
        }
        try restoreReadGenerationMarkers(db)
    }
}
