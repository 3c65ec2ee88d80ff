import Foundation
import GRDB

/// The SQL of upstream servers (`upstream_server`), in one place; access is decided above.
enum ServerStore {
    static func insert(_ server: UpstreamServer, by creator: String, in db: Database) throws {
        if try fetchOptional(server.name, in: db) != nil { throw DryadError.conflict("server \(server.name) already exists") }
        try db.execute(
            sql: """
                INSERT INTO upstream_server (name, transport, prefix, include, exclude, auto_sync, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                server.name, server.transport.json.canonicalText, server.prefix,
                JSONValue.array(server.include.map(JSONValue.string)).canonicalText,
                JSONValue.array(server.exclude.map(JSONValue.string)).canonicalText, server.autoSync ? 1 : 0, server.createdAt, creator,
            ])
    }

    static func fetch(_ name: String, in db: Database) throws -> UpstreamServer {
        guard let server = try fetchOptional(name, in: db) else { throw DryadError.notFound("server \(name) not found") }
        return server
    }

    static func fetchOptional(_ name: String, in db: Database) throws -> UpstreamServer? {
        try Row.fetchOne(db, sql: "SELECT * FROM upstream_server WHERE name = ?", arguments: [name]).map(decode)
    }

    static func all(in db: Database) throws -> [UpstreamServer] {
        try Row.fetchAll(db, sql: "SELECT * FROM upstream_server ORDER BY name").map(decode)
    }

    static func delete(_ name: String, in db: Database) throws {
        try db.execute(sql: "DELETE FROM upstream_server WHERE name = ?", arguments: [name])
    }

    /// Records a finished sync: what the upstream said of itself, and no pending change.
    static func recordSync(_ name: String, upstream: JSONValue?, at now: String, in db: Database) throws {
        try db.execute(
            sql: "UPDATE upstream_server SET synced_at = ?, changed_at = NULL, upstream = ? WHERE name = ?",
            arguments: [now, upstream?.canonicalText, name])
    }

    /// Marks the server changed (its tools changed upstream); returns whether it exists.
    static func markChanged(_ name: String, at now: String, in db: Database) throws -> Bool {
        try db.execute(sql: "UPDATE upstream_server SET changed_at = ? WHERE name = ?", arguments: [now, name])
        return db.changesCount > 0
    }

    private static func decode(_ row: Row) throws -> UpstreamServer {
        let name: String = row["name"]
        func json(_ column: String) throws -> JSONValue? {
            guard let text: String = row[column] else { return nil }
            do {
                return try JSONValue.parse(Data(text.utf8))
            } catch {
                throw DryadError.storage("server \(name): stored \(column) is not JSON")
            }
        }
        func strings(_ column: String) throws -> [String] {
            guard case .array(let items)? = try json(column) else { return [] }
            return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
        }
        guard let transport = try json("transport") else { throw DryadError.storage("server \(name) has no transport") }
        return UpstreamServer(
            name: name, transport: try UpstreamTransport(json: transport, stored: true), prefix: row["prefix"], include: try strings("include"),
            exclude: try strings("exclude"), autoSync: row["auto_sync"] as Int64 == 1, changedAt: row["changed_at"], syncedAt: row["synced_at"],
            upstreamInfo: try json("upstream"), createdAt: row["created_at"])
    }
}
