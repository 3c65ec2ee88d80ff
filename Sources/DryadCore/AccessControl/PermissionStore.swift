import Foundation
import GRDB

/// Tool permissions (the planning document's `tool_permission`), managed by admins.
public struct PermissionStore: Sendable {
    let database: DryadDatabase

    /// Grants a level on a tool; granting what is already granted changes nothing.
    public func grant(_ tool: String, to grantee: Grantee, level: ToolLevel, as principal: Principal) async throws(DryadError) -> ToolGrant {
        let now = database.now()
        return try await database.audited(principal, .permsGrant, "tool:\(tool)") { db, _ in
            let target = try ToolRegistry.resolve(.nameOrID(tool), in: db)
            let (name, type) = try Self.columns(grantee, in: db)
            try db.execute(
                sql: "INSERT OR IGNORE INTO tool_permission (tool_id, principal_name, principal_type, level, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [target.id, name, type, level.rawValue, now])
            return try Self.grants(toolID: target.id, grantee: grantee, level: level, in: db)[0]
        }
    }

    /// Revokes a grant; the revoked grant, or nil when there was none (revoking twice changes
    /// nothing and succeeds, as granting twice does, so scripts can run it again).
    public func revoke(_ tool: String, from grantee: Grantee, level: ToolLevel, as principal: Principal) async throws(DryadError) -> ToolGrant? {
        try await database.audited(principal, .permsRevoke, "tool:\(tool)") { db, note in
            let target = try ToolRegistry.resolve(.nameOrID(tool), in: db)
            let (name, type) = try Self.columns(grantee, in: db)
            guard let existing = try Self.grants(toolID: target.id, grantee: grantee, level: level, in: db).first else {
                note.reason = "no such grant; nothing changed"
                return nil
            }
            try db.execute(
                sql: "DELETE FROM tool_permission WHERE tool_id = ? AND principal_name IS ? AND principal_type IS ? AND level = ?",
                arguments: [target.id, name, type, level.rawValue])
            return existing
        }
    }

    public func list(tool: String?, principal name: String?, as principal: Principal) async throws(DryadError) -> [ToolGrant] {
        try await database.audited(principal, .permsList, "permissions") { db, _ in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let tool {
                conditions.append("t.id = ?")
                arguments.append(try ToolRegistry.resolve(.nameOrID(tool), in: db).id)
            }
            if let name {
                let record = try PrincipalStore.fetch(name, in: db)
                conditions.append("(p.principal_name = ? OR p.principal_type = ?)")
                arguments += [name, record.type.rawValue]
            }
            return try Self.select(db, conditions: conditions, arguments: arguments)
        }
    }

    /// Whether `name` holds `level` on `tool`, and why: what `perms check` prints.
    public func check(_ tool: String, principal name: String, level: ToolLevel, as principal: Principal) async throws(DryadError) -> AccessDecision {
        try await database.audited(principal, .permsCheck, "tool:\(tool)") { db, _ in
            let target = try ToolRegistry.resolve(.nameOrID(tool), in: db)
            let record = try PrincipalStore.fetch(name, in: db)
            if record.disabled { return AccessDecision(allowed: false, reason: "principal disabled") }
            let decision = try AccessCheck.toolDecision(record.principal(requestID: nil), toolID: target.id, level: level, in: db)
            return AccessDecision(allowed: decision.allowed, reason: decision.reason)
        }
    }

    /// The grants on a tool that reach a principal, by name or by type.
    static func grants(on toolID: String, reaching name: String, kind: Principal.Kind, in db: Database) throws -> [HeldGrant] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT level, principal_name FROM tool_permission WHERE tool_id = ? AND (principal_name = ? OR principal_type = ?)"),
            arguments: [toolID, name, kind.rawValue]
        ).map { row in HeldGrant(level: ToolLevel(rawValue: row["level"]) ?? .read, holder: row["principal_name"]) }
    }

    /// An SQL condition on a tool id column limiting a listing to what `visibility` allows; nil
    /// for everything. With `level` (`AccessRules.toolDecision`'s rule: a grant of that level;
    /// any grant reads), only the tools held at that level.
    static func visibleToolsCondition(_ visibility: Visibility, column: String = "t.id", level: ToolLevel? = nil) -> (
        sql: String, arguments: [(any DatabaseValueConvertible)?]
    )? {
        switch visibility {
        case .everything:
            return nil
        case .nothing:
            return ("0", [])
        case .reachedBy(let name, let kind):
            let held = level.flatMap { $0 == .read ? nil : $0 }
            return (
                "EXISTS (SELECT 1 FROM tool_permission p WHERE p.tool_id = \(column)\(held == nil ? "" : " AND p.level = ?") AND (p.principal_name = ? OR p.principal_type = ?))",
                (held.map { [$0.rawValue] } ?? []) + [name, kind.rawValue]
            )
        }
    }

    static func columns(_ grantee: Grantee, in db: Database) throws -> (String?, String?) {
        switch grantee {
        case .principal(let name):
            _ = try PrincipalStore.fetch(name, in: db)
            return (name, nil)
        case .type(let kind):
            return (nil, kind.rawValue)
        }
    }

    static func grants(toolID: String, grantee: Grantee, level: ToolLevel, in db: Database) throws -> [ToolGrant] {
        switch grantee {
        case .principal(let name):
            return try select(db, conditions: ["t.id = ?", "p.principal_name = ?", "p.level = ?"], arguments: [toolID, name, level.rawValue])
        case .type(let kind):
            return try select(db, conditions: ["t.id = ?", "p.principal_type = ?", "p.level = ?"], arguments: [toolID, kind.rawValue, level.rawValue])
        }
    }

    static func select(_ db: Database, conditions: [String], arguments: [(any DatabaseValueConvertible)?]) throws -> [ToolGrant] {
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try Row.fetchAll(
            db,
            sql: """
                SELECT t.name, p.principal_name, p.principal_type, p.level, p.created_at
                FROM tool_permission p JOIN tool_registry t ON t.id = p.tool_id \(whereClause)
                ORDER BY t.name, p.principal_name, p.principal_type, p.level
                """,
            arguments: StatementArguments(arguments)
        ).map { row in
            ToolGrant(
                tool: row["name"], principal: row["principal_name"],
                principalType: (row["principal_type"] as String?).flatMap(Principal.Kind.init(rawValue:)),
                level: ToolLevel(rawValue: row["level"]) ?? .read, createdAt: row["created_at"])
        }
    }
}

extension DryadDatabase {
    /// Tool permissions.
    public var permissions: PermissionStore { PermissionStore(database: self) }
}
