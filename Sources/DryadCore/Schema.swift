import GRDB

/// The versioned migrations that create and upgrade dryad's schema.
///
/// Each entry is one schema version; the last one sets `PRAGMA user_version`, which is
/// all an up-to-date file needs to be checked against at start-up.
enum Schema {
    static let migrations: [(identifier: String, apply: @Sendable (Database) throws -> Void)] = [
        ("v1-tools", createTools),
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (index, migration) in migrations.enumerated() {
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
        try db.execute(sql: """
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
}
