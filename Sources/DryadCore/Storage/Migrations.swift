import Foundation
import GRDB

/// The versioned migrations that create and upgrade dryad's schema.
///
/// Each entry is one schema version; the last one sets `PRAGMA user_version`, which is
/// all an up-to-date file needs to be checked against at start-up.
enum Migrations {
    static let all: [(identifier: String, apply: @Sendable (Database) throws -> Void)] = [
        ("v1-tools", createTools),
        ("v2-executions", createExecutions),
        ("v3-memory", createMemory),
        ("v4-access", createAccess),
        ("v5-memory-keys", addMemoryKeys),
        ("v6-stats-by-tool-id", addToolIDToStatsIndexes),
        ("v7-read-generations", addReadGenerations),
        ("v8-names-without-nul", refuseNULInNames),
        ("v9-command-sandbox", giveCommandsTheirSandbox),
        ("v10-sealed-secrets", createSealedSecrets),
        ("v11-memory-keys-per-agent", makeMemoryKeysPerAgent),
        ("v12-storage-quotas", countStorageForQuotas),
        ("v13-executions-by-time", indexExecutionsByTime),
        ("v14-runs-in-contexts", linkRunsToContexts),
        ("v15-run-origins", recordRunOrigins),
        ("v16-upstream-servers", createUpstreamServers),
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (index, migration) in all.enumerated() {
            migrator.registerMigration(migration.identifier) { db in
                try migration.apply(db)
                try db.execute(sql: "PRAGMA application_id = \(DryadDatabase.applicationID)")
                try db.execute(sql: "PRAGMA user_version = \(index + 1)")
            }
        }
        return migrator
    }

    /// Tools (`tool_registry`, the planning document's model) and their versions.
    private static func createTools(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE tool_registry (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
                    name TEXT NOT NULL UNIQUE
                        CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^A-Za-z0-9_-]*'),
                    created_at TEXT NOT NULL
                ) STRICT;

                CREATE TABLE tool_version (
                    tool_id TEXT NOT NULL REFERENCES tool_registry(id) ON DELETE CASCADE,
                    version TEXT NOT NULL CHECK (length(version) BETWEEN 5 AND 64),
                    -- semver precedence as a byte-comparable string (SemanticVersion.precedenceKey)
                    version_key TEXT NOT NULL,
                    description TEXT NOT NULL CHECK (length(description) > 0),
                    input_schema TEXT NOT NULL
                        CHECK (json_valid(input_schema) AND json_type(input_schema) = 'object'),
                    output_schema TEXT
                        CHECK (output_schema IS NULL OR (json_valid(output_schema) AND json_type(output_schema) = 'object')),
                    executor TEXT
                        CHECK (executor IS NULL OR (json_valid(executor) AND json_type(executor) = 'object')),
                    tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
                    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
                    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deprecated', 'disabled')),
                    revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
                    -- 1 on the version `tools get NAME` resolves to; maintained by ToolRegistry
                    is_latest INTEGER NOT NULL DEFAULT 0 CHECK (is_latest IN (0, 1)),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (tool_id, version_key),
                    UNIQUE (tool_id, version)
                ) STRICT;

                -- At most one latest version per tool, and a fast path for default listings.
                CREATE UNIQUE INDEX tool_version_latest ON tool_version(tool_id) WHERE is_latest = 1;
                """)
    }

    /// Sessions and execution records. Executions keep the tool's name and version as text and
    /// have no foreign key to the tool, so history outlives a deleted tool.
    private static func createExecutions(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE tool_session (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
                    label TEXT CHECK (label IS NULL OR length(label) <= 256),
                    principal TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'ended')),
                    created_at TEXT NOT NULL,
                    ended_at TEXT,
                    CHECK ((status = 'ended') = (ended_at IS NOT NULL))
                ) STRICT;
                CREATE INDEX tool_session_by_time ON tool_session(created_at, id);

                CREATE TABLE tool_execution (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
                    tool_id TEXT NOT NULL,
                    tool_name TEXT NOT NULL,
                    tool_version TEXT NOT NULL,
                    session_id TEXT REFERENCES tool_session(id),
                    principal TEXT NOT NULL,
                    input TEXT NOT NULL CHECK (json_valid(input)),
                    output TEXT CHECK (output IS NULL OR json_valid(output)),
                    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'timed_out', 'rejected', 'denied')),
                    error TEXT,
                    exit_code INTEGER,
                    http_status INTEGER,
                    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
                    started_at TEXT NOT NULL,
                    finished_at TEXT NOT NULL
                ) STRICT;
                -- History newest first, by name (which outlives the tool), by id, and by session.
                CREATE INDEX tool_execution_by_tool ON tool_execution(tool_name, started_at, id);
                CREATE INDEX tool_execution_by_tool_id ON tool_execution(tool_id, started_at, id);
                CREATE INDEX tool_execution_by_session ON tool_execution(session_id, started_at, id) WHERE session_id IS NOT NULL;
                -- Stats read counts and duration ranks from these two indexes alone.
                CREATE INDEX tool_execution_counts ON tool_execution(tool_name, tool_version, status, started_at);
                CREATE INDEX tool_execution_durations ON tool_execution(tool_name, tool_version, duration_ms, started_at)
                    WHERE status IN ('succeeded', 'failed', 'timed_out');
                """)
    }

    /// Memory contexts, their versions, shares, the full-text index, and error logs.
    private static func createMemory(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE memory_context (
                    -- An explicit integer key keeps rowids (and so the FTS index) stable across VACUUM.
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE CHECK (length(id) = 36),
                    agent_id TEXT NOT NULL CHECK (length(agent_id) BETWEEN 1 AND 128),
                    context_type TEXT NOT NULL CHECK (length(context_type) BETWEEN 1 AND 64),
                    data TEXT NOT NULL CHECK (json_valid(data) AND json_type(data) = 'object'),
                    parent_id TEXT REFERENCES memory_context(id),
                    -- 0 for a root; a chain holds at most 256 contexts.
                    depth INTEGER NOT NULL CHECK (depth BETWEEN 0 AND 255),
                    tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    expires_at TEXT,
                    -- The earliest expiry of this context and its ancestors: past it the context is invisible.
                    visible_until TEXT,
                    CHECK ((parent_id IS NULL) = (depth = 0))
                ) STRICT;
                CREATE INDEX memory_by_time ON memory_context(created_at, id);
                CREATE INDEX memory_by_agent ON memory_context(agent_id, created_at, id);
                CREATE INDEX memory_by_type ON memory_context(context_type, created_at, id);
                CREATE INDEX memory_by_parent ON memory_context(parent_id, created_at, id);
                CREATE INDEX memory_by_expiry ON memory_context(visible_until) WHERE visible_until IS NOT NULL;

                CREATE TABLE memory_version (
                    context_id TEXT NOT NULL REFERENCES memory_context(id) ON DELETE CASCADE,
                    version INTEGER NOT NULL CHECK (version >= 1),
                    data TEXT NOT NULL CHECK (json_valid(data) AND json_type(data) = 'object'),
                    tags TEXT NOT NULL CHECK (json_valid(tags)),
                    principal TEXT NOT NULL,
                    merged INTEGER NOT NULL DEFAULT 0 CHECK (merged IN (0, 1)),
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (context_id, version)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE memory_share (
                    context_id TEXT NOT NULL REFERENCES memory_context(id) ON DELETE CASCADE,
                    agent_id TEXT NOT NULL CHECK (length(agent_id) BETWEEN 1 AND 128),
                    access TEXT NOT NULL CHECK (access IN ('read', 'write')),
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (context_id, agent_id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX memory_share_by_agent ON memory_share(agent_id);

                -- Full-text index over the keys and string values of data, the type and the tags,
                -- kept exact by triggers so no code path can forget it.
                CREATE VIRTUAL TABLE memory_fts USING fts5(body, context_type, tags, tokenize = 'unicode61');
                CREATE TRIGGER memory_fts_insert AFTER INSERT ON memory_context BEGIN
                    INSERT INTO memory_fts (rowid, body, context_type, tags) VALUES (
                        new.seq,
                        (SELECT group_concat(word, ' ') FROM (
                            SELECT key AS word FROM json_tree(new.data) WHERE typeof(key) = 'text'
                            UNION ALL SELECT value FROM json_tree(new.data) WHERE type = 'text')),
                        new.context_type,
                        (SELECT group_concat(value, ' ') FROM json_each(new.tags)));
                END;
                CREATE TRIGGER memory_fts_update AFTER UPDATE OF data, tags, context_type ON memory_context BEGIN
                    DELETE FROM memory_fts WHERE rowid = old.seq;
                    INSERT INTO memory_fts (rowid, body, context_type, tags) VALUES (
                        new.seq,
                        (SELECT group_concat(word, ' ') FROM (
                            SELECT key AS word FROM json_tree(new.data) WHERE typeof(key) = 'text'
                            UNION ALL SELECT value FROM json_tree(new.data) WHERE type = 'text')),
                        new.context_type,
                        (SELECT group_concat(value, ' ') FROM json_each(new.tags)));
                END;
                CREATE TRIGGER memory_fts_delete AFTER DELETE ON memory_context BEGIN
                    DELETE FROM memory_fts WHERE rowid = old.seq;
                END;

                CREATE TABLE error_log (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
                    error_type TEXT NOT NULL CHECK (length(error_type) BETWEEN 1 AND 255),
                    error_message TEXT NOT NULL,
                    stack_trace TEXT,
                    fix_applied INTEGER NOT NULL DEFAULT 0 CHECK (fix_applied IN (0, 1)),
                    resolution_note TEXT,
                    context_id TEXT REFERENCES memory_context(id) ON DELETE SET NULL,
                    principal TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    resolved_at TEXT,
                    CHECK ((fix_applied = 1) = (resolved_at IS NOT NULL))
                ) STRICT;
                CREATE INDEX error_log_by_time ON error_log(created_at, id);
                CREATE INDEX error_log_by_context ON error_log(context_id, fix_applied) WHERE context_id IS NOT NULL;
                """)
    }

    /// Principals, tool grants, signing keys, issued tokens and the hash-chained audit trail.
    private static func createAccess(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE principal (
                    name TEXT PRIMARY KEY NOT NULL
                        CHECK (length(name) BETWEEN 1 AND 128 AND name NOT GLOB '*[^A-Za-z0-9_.@:-]*'),
                    type TEXT NOT NULL CHECK (type IN ('user', 'agent', 'service')),
                    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
                    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                    rate REAL CHECK (rate IS NULL OR rate > 0),
                    burst INTEGER CHECK (burst IS NULL OR burst >= 1),
                    created_at TEXT NOT NULL
                ) STRICT;

                CREATE TABLE tool_permission (
                    tool_id TEXT NOT NULL REFERENCES tool_registry(id) ON DELETE CASCADE,
                    principal_name TEXT REFERENCES principal(name) ON DELETE CASCADE,
                    principal_type TEXT CHECK (principal_type IS NULL OR principal_type IN ('user', 'agent', 'service')),
                    level TEXT NOT NULL CHECK (level IN ('read', 'write', 'execute')),
                    created_at TEXT NOT NULL,
                    CHECK ((principal_name IS NULL) <> (principal_type IS NULL))
                ) STRICT;
                CREATE UNIQUE INDEX tool_permission_unique
                    ON tool_permission(tool_id, coalesce(principal_name, ''), coalesce(principal_type, ''), level);
                CREATE INDEX tool_permission_by_name ON tool_permission(principal_name) WHERE principal_name IS NOT NULL;

                CREATE TABLE signing_key (
                    kid TEXT PRIMARY KEY NOT NULL,
                    secret BLOB NOT NULL CHECK (length(secret) >= 32),
                    created_at TEXT NOT NULL
                ) STRICT;

                CREATE TABLE token (
                    id TEXT PRIMARY KEY NOT NULL,
                    principal TEXT NOT NULL REFERENCES principal(name) ON DELETE CASCADE,
                    kid TEXT NOT NULL,
                    issued_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    revoked_at TEXT
                ) STRICT;
                CREATE INDEX token_by_principal ON token(principal);

                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    principal TEXT NOT NULL,
                    action TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    decision TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
                    reason TEXT NOT NULL,
                    request_id TEXT,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                ) STRICT;
                CREATE INDEX audit_by_time ON audit_log(at);

                -- After a prune: the last pruned entry, from which the rest of the chain still verifies.
                CREATE TABLE audit_checkpoint (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    seq INTEGER NOT NULL,
                    hash TEXT NOT NULL,
                    pruned_at TEXT NOT NULL
                ) STRICT;
                """)
    }

    /// A caller-chosen stable key per context, so fixtures (`dryad apply`) find what they created.
    private static func addMemoryKeys(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE memory_context ADD COLUMN key TEXT
                    CHECK (key IS NULL OR (length(key) BETWEEN 1 AND 128 AND key NOT GLOB '*[^A-Za-z0-9_.:/@-]*'));
                CREATE UNIQUE INDEX memory_by_key ON memory_context(key) WHERE key IS NOT NULL;
                """)
    }

    /// Keys unique per agent, not across all agents: a key taken by another agent answered
    /// "already exists", which told the caller about a context it could not read.
    private static func makeMemoryKeysPerAgent(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP INDEX memory_by_key;
                CREATE UNIQUE INDEX memory_by_key ON memory_context(agent_id, key) WHERE key IS NOT NULL;
                """)
    }

    /// Storage quotas: a principal's own limits (NULL: the default) and what it holds, counted
    /// by triggers in the same transaction as every write, so a check reads two rows instead of
    /// summing a principal's data. Memory counts the bytes of every stored version of the
    /// contexts the principal owns (`agent_id`); error logs and sessions count rows.
    private static func countStorageForQuotas(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE principal ADD COLUMN quota_memory_bytes INTEGER CHECK (quota_memory_bytes IS NULL OR quota_memory_bytes >= 0);
                ALTER TABLE principal ADD COLUMN quota_error_logs INTEGER CHECK (quota_error_logs IS NULL OR quota_error_logs >= 0);
                ALTER TABLE principal ADD COLUMN quota_sessions INTEGER CHECK (quota_sessions IS NULL OR quota_sessions >= 0);

                CREATE TABLE principal_usage (
                    principal TEXT PRIMARY KEY NOT NULL,
                    memory_bytes INTEGER NOT NULL DEFAULT 0,
                    error_logs INTEGER NOT NULL DEFAULT 0,
                    sessions INTEGER NOT NULL DEFAULT 0
                ) STRICT, WITHOUT ROWID;

                INSERT INTO principal_usage (principal, memory_bytes)
                    SELECT c.agent_id, sum(length(CAST(v.data AS BLOB))) FROM memory_version v JOIN memory_context c ON c.id = v.context_id
                    WHERE true GROUP BY c.agent_id;
                INSERT INTO principal_usage (principal, error_logs) SELECT principal, count(*) FROM error_log WHERE true GROUP BY principal
                    ON CONFLICT (principal) DO UPDATE SET error_logs = excluded.error_logs;
                INSERT INTO principal_usage (principal, sessions) SELECT principal, count(*) FROM tool_session WHERE true GROUP BY principal
                    ON CONFLICT (principal) DO UPDATE SET sessions = excluded.sessions;

                CREATE TRIGGER usage_memory_version_insert AFTER INSERT ON memory_version BEGIN
                    INSERT INTO principal_usage (principal, memory_bytes)
                        SELECT agent_id, length(CAST(NEW.data AS BLOB)) FROM memory_context WHERE id = NEW.context_id
                        ON CONFLICT (principal) DO UPDATE SET memory_bytes = memory_bytes + excluded.memory_bytes;
                END;
                CREATE TRIGGER usage_memory_context_delete BEFORE DELETE ON memory_context BEGIN
                    UPDATE principal_usage SET memory_bytes = memory_bytes
                        - (SELECT coalesce(sum(length(CAST(data AS BLOB))), 0) FROM memory_version WHERE context_id = OLD.id)
                        WHERE principal = OLD.agent_id;
                END;
                CREATE TRIGGER usage_error_log_insert AFTER INSERT ON error_log BEGIN
                    INSERT INTO principal_usage (principal, error_logs) VALUES (NEW.principal, 1)
                        ON CONFLICT (principal) DO UPDATE SET error_logs = error_logs + 1;
                END;
                CREATE TRIGGER usage_error_log_delete AFTER DELETE ON error_log BEGIN
                    UPDATE principal_usage SET error_logs = error_logs - 1 WHERE principal = OLD.principal;
                END;
                CREATE TRIGGER usage_session_insert AFTER INSERT ON tool_session BEGIN
                    INSERT INTO principal_usage (principal, sessions) VALUES (NEW.principal, 1)
                        ON CONFLICT (principal) DO UPDATE SET sessions = sessions + 1;
                END;
                CREATE TRIGGER usage_session_delete AFTER DELETE ON tool_session BEGIN
                    UPDATE principal_usage SET sessions = sessions - 1 WHERE principal = OLD.principal;
                END;
                """)
    }

    /// Stats for a non-admin count only the runs of the tool they can read now (a deleted
    /// tool's runs share its name): with the tool id in both stats indexes that condition is
    /// read from the index too, instead of from a million table rows.
    private static func addToolIDToStatsIndexes(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP INDEX tool_execution_counts;
                DROP INDEX tool_execution_durations;
                CREATE INDEX tool_execution_counts ON tool_execution(tool_name, tool_version, status, started_at, tool_id);
                CREATE INDEX tool_execution_durations ON tool_execution(tool_name, tool_version, duration_ms, started_at, tool_id)
                    WHERE status IN ('succeeded', 'failed', 'timed_out');
                """)
    }

    /// A value per read-cache scope that every change to a table the scope's answers are read
    /// from replaces with a random one, in the changing transaction, whoever writes (the server,
    /// a CLI process, `sqlite3`). Random rather than counted: a restored file brings the value
    /// that went with its content, so an equal value means equal content even across a restore.
    private static func addReadGenerations(_ db: Database) throws {
        try restoreReadGenerationMarkers(db)
    }

    /// The tables each read-cache scope's answers are read from (a tool page: tools, versions,
    /// grants; a search or resolved context: contexts, shares, error logs; both: principals).
    private static let readGenerationTables: [(table: String, scopes: [ReadCache.Scope])] = [
        // Tools and grants are in the memory scope too: which run-logged errors a context's
        // `unresolved_errors` counts depends on the tools the caller may read (v14).
        ("tool_registry", [.tools, .memory]), ("tool_version", [.tools]), ("tool_permission", [.tools, .memory]),
        ("memory_context", [.memory]), ("memory_share", [.memory]), ("error_log", [.memory]),
        ("principal", [.tools, .memory]),
    ]

    /// The triggers that replace a scope's value, by name, with what each runs.
    private static let readGenerationTriggers: [(name: String, sql: String)] =
        readGenerationTables.flatMap { table, scopes in
            ["INSERT", "UPDATE", "DELETE"].map { event in
                let name = "read_generation_\(table)_\(event.lowercased())"
                let scopeList = scopes.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                return (
                    name,
                    """
                    CREATE TRIGGER IF NOT EXISTS \(name) AFTER \(event) ON \(table) BEGIN
                        UPDATE read_generation SET value = random() WHERE scope IN (\(scopeList));
                    END
                    """
                )
            }
        }

    /// The columns whose CHECK holds a name rule (`NameRule.sqlCheck`): SQLite's `length()` and
    /// `GLOB` stop at a NUL, so those CHECKs let `a\0b` through. A CHECK cannot be changed
    /// without rebuilding its table; a trigger per column refuses the NUL instead, so a row
    /// written by any program (an import, `sqlite3`) holds the rule the core checks.
    static let namesWithoutNUL: [(table: String, column: String)] = [("tool_registry", "name"), ("principal", "name"), ("memory_context", "key")]

    private static func refuseNULInNames(_ db: Database) throws {
        for (table, column) in namesWithoutNUL {
            for event in ["INSERT", "UPDATE OF \(column)"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER \(table)_\(column)_without_nul_\(event.hasPrefix("INSERT") ? "insert" : "update")
                        BEFORE \(event) ON \(table) WHEN instr(CAST(NEW.\(column) AS BLOB), x'00') > 0
                        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: \(column) holds a NUL character'); END
                        """)
            }
        }
    }

    /// Command tools registered before sandboxing keep working: each stored command executor
    /// without a `sandbox` gets `SandboxPolicy.legacy` (contained, with the network and its
    /// `cwd` writable), written out so `tools get` shows what will apply.
    private static func giveCommandsTheirSandbox(_ db: Database) throws {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT rowid, executor FROM tool_version
                WHERE json_valid(executor) AND json_extract(executor, '$.kind') = 'command'
                  AND json_type(executor, '$.sandbox') IS NULL
                """)
        for row in rows {
            let rowid: Int64 = row["rowid"]
            let text: String = row["executor"]
            // A stored executor this build cannot read stays as it is; reading it reports the fault.
            guard let json = try? JSONValue.parse(Data(text.utf8)), let executor = try? ToolEndpoint(json: json, stored: true) else {
                continue
            }
            try db.execute(sql: "UPDATE tool_version SET executor = ? WHERE rowid = ?", arguments: [executor.json.canonicalText, rowid])
        }
    }

    /// Secrets sealed with the key file's KEK (`Keyring`): the audit chain's HMAC key. Signing
    /// keys stay in `signing_key`, sealed in place the first time this version writes.
    private static func createSealedSecrets(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE dryad_secret (
                    name TEXT PRIMARY KEY NOT NULL,
                    -- base64 of the sealed blob: text, so bundles carry it as they carry every column
                    sealed TEXT NOT NULL,
                    created_at TEXT NOT NULL
                ) STRICT
                """)
    }

    /// What the read cache relies on and the file lacks (a trigger or scope row dropped by hand):
    /// without a trigger a cached answer could outlive the change it should have made stale.
    static func missingReadGenerationMarkers(_ db: Database) throws -> [String] {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'read_generation')") == true
        else { return ["table read_generation"] }
        let triggers = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'read_generation_%'"))
        let scopes = Set(try String.fetchAll(db, sql: "SELECT scope FROM read_generation"))
        return readGenerationTriggers.map(\.name).filter { !triggers.contains($0) }.map { "trigger \($0)" }
            + ReadCache.Scope.allCases.map(\.rawValue).filter { !scopes.contains($0) }.map { "scope \($0)" }
    }

    /// Creates whichever of the table, its scope rows and the triggers are missing (all of them
    /// in the v7 migration).
    static func restoreReadGenerationMarkers(_ db: Database) throws {
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS read_generation (scope TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT, WITHOUT ROWID")
        for trigger in readGenerationTriggers { try db.execute(sql: trigger.sql) }
        for scope in ReadCache.Scope.allCases {
            try db.execute(sql: "INSERT OR IGNORE INTO read_generation VALUES (?, random())", arguments: [scope.rawValue])
        }
    }

    /// Executions of every tool, newest first (`GET /executions`, `executions list`): a page
    /// reads its rows from this index and stops, instead of sorting the whole table.
    private static func indexExecutionsByTime(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX tool_execution_by_time ON tool_execution(started_at, id)")
    }
}
