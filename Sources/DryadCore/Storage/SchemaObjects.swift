import GRDB

/// The schema objects a file holds, against the ones its schema version defines.
enum SchemaObjects {
    /// How the file's schema objects (tables, indexes, triggers, views) differ from the ones its
    /// schema version defines: each extra, missing or altered object, e.g. `extra trigger
    /// make_admin`. A trigger added to a backup ran on every later write (one made each new
    /// principal an admin); the expected objects are what the migrations up to the file's
    /// version create in an empty in-memory database, so no list is kept by hand.
    static func differences(_ db: Database) throws -> [String] {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard version > 0, version <= Migrations.all.count else { return [] }
        let reference = try DatabaseQueue()
        try Migrations.migrator.migrate(reference, upTo: Migrations.all[version - 1].identifier)
        let expected = try reference.read(schemaObjects)
        let found = try schemaObjects(db)
        var differences: [String] = []
        for (key, sql) in found.sorted(by: { $0.key < $1.key }) {
            guard let wanted = expected[key] else {
                differences.append("extra \(key)")
                continue
            }
            if wanted != sql { differences.append("altered \(key)") }
        }
        for key in expected.keys.sorted() where found[key] == nil { differences.append("missing \(key)") }
        return differences
    }

    /// "type name" → its SQL, for every schema object but SQLite's own (`sqlite_%`).
    private static func schemaObjects(_ db: Database) throws -> [String: String] {
        var objects: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'") {
            objects["\(row["type"] as String) \(row["name"] as String)"] = row["sql"] as String? ?? ""
        }
        return objects
    }
}
