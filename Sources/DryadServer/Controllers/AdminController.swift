import DryadCore
import Foundation
import Hummingbird

/// Principals, permissions, tokens, keys and the audit trail (admins only; the core decides).
struct AdminController: Sendable {
    let database: DryadDatabase
    let maxBody: Int

    func addRoutes(to group: RouterGroup<DryadContext>, table: inout RouteTable) {
        table.add(
            .post, "principals", "Add a principal.", on: group, body: RequestBody("PrincipalRequest", "{name, type, role}"), success: .created,
            response: "Principal", use: self.addPrincipal)
        table.add(.get, "principals", "List principals.", on: group, response: "PrincipalPage", use: self.listPrincipals)
        table.add(.get, "principals/{name}", "Show a principal.", on: group, response: "Principal", use: self.showPrincipal)
        table.add(.post, "principals/{name}/disable", "Disable a principal.", on: group, response: "Principal", use: self.disablePrincipal)
        table.add(.post, "principals/{name}/enable", "Enable a disabled principal.", on: group, response: "Principal", use: self.enablePrincipal)
        table.add(
            .put, "principals/{name}/role", "Make a principal an admin or a member.", on: group, body: RequestBody("RoleRequest", "{role}"),
            response: "Principal", use: self.setPrincipalRole)
        table.add(.delete, "principals/{name}", "Remove a principal.", on: group, success: .noContent, use: self.removePrincipal)
        table.add(
            .put, "principals/{name}/limit", "Set a principal's rate limit.", on: group, body: RequestBody("LimitRequest", "{rate, burst}"),
            response: "Principal", use: self.setPrincipalLimit)
        table.add(.get, "principals/{name}/quota", "A principal's storage quotas and usage.", on: group, response: "QuotaPage", use: self.principalQuota)
        table.add(
            .put, "principals/{name}/quota", "Set storage quotas (a number, or null for the default; absent ones stay).", on: group,
            body: RequestBody("QuotaRequest", "{memory_bytes, error_logs, sessions}"), response: "QuotaPage", use: self.setPrincipalQuota)
        table.add(
            .post, "permissions", "Grant a level on a tool.", on: group, body: RequestBody("GrantRequest", "{tool, principal | principal_type, level}"),
            success: .created, response: "Grant", use: self.grant)
        table.add(
            .delete, "permissions", "Revoke a grant.", on: group, query: [.required("tool"), "principal", "principal_type", .required("level")],
            success: .noContent, use: self.revoke)
        table.add(.get, "permissions", "List grants.", on: group, query: ["tool", "principal"], response: "GrantPage", use: self.listGrants)
        table.add(
            .get, "permissions/check", "Whether a principal holds a level on a tool, and why.", on: group,
            query: [.required("tool"), .required("principal"), .required("level")], response: "Decision", use: self.checkPermission)
        table.add(
            .post, "tokens", "Issue a token; the response is the only time it is shown.", on: group,
            body: RequestBody("TokenRequest", "{principal, ttl_seconds}"), success: .created, response: "IssuedToken", use: self.issueToken)
        table.add(.get, "tokens", "List issued tokens.", on: group, response: "TokenPage", use: self.listTokens)
        table.add(.delete, "tokens/{id}", "Revoke a token.", on: group, success: .noContent, use: self.revokeToken)
        table.add(
            .post, "keys/rotate", "Rotate the signing key; older keys verify until their tokens expire.", on: group, response: "Kid", use: self.rotateKeys)
        table.add(
            .get, "audit", "The audit trail, oldest first.", on: group,
            query: ["principal", "action", "decision", "resource", "since", "limit", "cursor"], response: "AuditPage", use: self.listAudit)
        table.add(.get, "audit/verify", "Check the hash chain.", on: group, response: "AuditVerification", use: self.verifyAudit)
        table.add(
            .get, "status", "This dryad and its database: version, schema and SQLite versions, file size, row counts (admin).", on: group,
            response: "Status", use: self.status)
    }

    /// What `dryad db status` and `dryad version` say, for the console's overview.
    @Sendable func status(_ request: Request, context: DryadContext) async throws -> Response {
        let status = try await database.status(as: try context.actor())
        var fields = try JSONValue.parse(try JSONEncoder().encode(status)).objectValue ?? [:]
        fields["version"] = .string(DryadVersion.current)
        return try HTTPJSON.response(JSONValue.object(fields))
    }

    /// Add a principal.
    @Sendable func addPrincipal(_ request: Request, context: DryadContext) async throws -> Response {
        let (name, type, role) = try await HTTPJSON.fields(request, maxBytes: maxBody, readOnly: ["created_at"]) { fields in
            guard let type = try fields.string("type").flatMap(Principal.Kind.init(rawValue:)) else {
                throw DryadError.invalidInput("type: expected user, agent or service")
            }
            let role =
                try fields.string("role").map { text throws(DryadError) -> Principal.Role in
                    guard let role = Principal.Role(rawValue: text) else { throw DryadError.invalidInput("role: expected admin or member") }
                    return role
                } ?? .member
            return (try fields.string("name") ?? "", type, role)
        }
        let added = try await database.principals.add(name, type: type, role: role, as: try context.actor())
        return try HTTPJSON.response(added, status: .created, headers: [.location: "/api/v1/principals/\(added.name)"])
    }

    /// List principals.
    @Sendable func listPrincipals(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.list(try await database.principals.list(as: try context.actor()))
    }

    /// Show a principal.
    @Sendable func showPrincipal(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await database.principals.show(try context.path("name"), as: try context.actor()))
    }

    /// Disable a principal.
    @Sendable func disablePrincipal(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await database.principals.disable(try context.path("name"), as: try context.actor()))
    }

    /// Enable a disabled principal.
    @Sendable func enablePrincipal(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await database.principals.enable(try context.path("name"), as: try context.actor()))
    }

    /// Make a principal an admin or a member.
    @Sendable func setPrincipalRole(_ request: Request, context: DryadContext) async throws -> Response {
        let role = try await HTTPJSON.fields(request, maxBytes: maxBody) { fields in
            guard let role = try fields.string("role").flatMap(Principal.Role.init(rawValue:)) else {
                throw DryadError.invalidInput("role: expected admin or member")
            }
            return role
        }
        return try HTTPJSON.response(try await database.principals.setRole(try context.path("name"), role, as: try context.actor()))
    }

    /// Remove a principal.
    @Sendable func removePrincipal(_ request: Request, context: DryadContext) async throws -> Response {
        _ = try await database.principals.remove(try context.path("name"), as: try context.actor())
        return HTTPJSON.noContent
    }

    /// Set a principal's rate limit.
    @Sendable func setPrincipalLimit(_ request: Request, context: DryadContext) async throws -> Response {
        let (rate, burst) = try await HTTPJSON.fields(request, maxBytes: maxBody) { fields in
            guard let rate = try fields.number("rate"), let burst = try fields.integer("burst") else {
                throw DryadError.invalidInput("rate and burst: required numbers")
            }
            return (rate, burst)
        }
        return try HTTPJSON.response(
            try await database.principals.setLimit(
                try context.path("name"), rate: rate, burst: burst,
                as: try context.actor()))
    }

    /// A principal's storage quotas and usage.
    @Sendable func principalQuota(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.list(try await database.principals.quotas(try context.path("name"), as: try context.actor()))
    }

    /// Set storage quotas: a number, or null for the default; absent ones stay.
    @Sendable func setPrincipalQuota(_ request: Request, context: DryadContext) async throws -> Response {
        let limits = try await HTTPJSON.fields(request, maxBytes: maxBody) { fields in
            var limits: [StorageQuota: Int?] = [:]
            for quota in StorageQuota.allCases where fields.has(quota.rawValue) {
                limits[quota] = try fields.integer(quota.rawValue)
            }
            return limits
        }
        guard !limits.isEmpty else { throw DryadError.invalidInput("give at least one of memory_bytes, error_logs and sessions") }
        return try HTTPJSON.list(try await database.principals.setQuotas(try context.path("name"), limits, as: try context.actor()))
    }

    /// Grant a level on a tool.
    @Sendable func grant(_ request: Request, context: DryadContext) async throws -> Response {
        let (tool, grantee, level) = try await HTTPJSON.fields(request, maxBytes: maxBody, readOnly: ["created_at"]) { try Self.grant(&$0) }
        return try HTTPJSON.response(try await database.permissions.grant(tool, to: grantee, level: level, as: try context.actor()), status: .created)
    }

    /// Revoke a grant.
    @Sendable func revoke(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        var values: [String: JSONValue] = [:]
        for name in ["tool", "principal", "principal_type", "level"] { values[name] = query.string(name).map(JSONValue.string) }
        var fields = try JSONObjectReader(.object(values), path: "")
        let (tool, grantee, level) = try Self.grant(&fields)
        _ = try await database.permissions.revoke(tool, from: grantee, level: level, as: try context.actor())
        return HTTPJSON.noContent
    }

    /// List grants.
    @Sendable func listGrants(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        return try HTTPJSON.list(
            try await database.permissions.list(
                tool: query.string("tool"), principal: query.string("principal"),
                as: try context.actor()))
    }

    /// Whether a principal holds a level on a tool, and why.
    @Sendable func checkPermission(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        guard let tool = query.string("tool"), let name = query.string("principal"), let level = try query.enumValue("level", ToolLevel.self) else {
            throw DryadError.invalidInput("tool, principal and level: required")
        }
        return try HTTPJSON.response(try await database.permissions.check(tool, principal: name, level: level, as: try context.actor()))
    }

    /// Issue a token; the response is the only time it is shown.
    @Sendable func issueToken(_ request: Request, context: DryadContext) async throws -> Response {
        let (principal, ttl) = try await HTTPJSON.fields(request, maxBytes: maxBody) { fields in
            (try fields.string("principal") ?? "", try fields.number("ttl_seconds") ?? TokenService.defaultTTL)
        }
        let issued = try await database.tokens.issue(for: principal, ttl: ttl, as: try context.actor())
        // A token is a credential: no cache along the way may keep a copy (RFC 9111 §5.2.2.5).
        return try HTTPJSON.response(
            ["token": issued.token, "id": issued.record.id, "expires_at": issued.record.expiresAt], status: .created,
            headers: [.cacheControl: "no-store"])
    }

    /// List issued tokens.
    @Sendable func listTokens(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.list(try await database.tokens.list(as: try context.actor()))
    }

    /// Revoke a token.
    @Sendable func revokeToken(_ request: Request, context: DryadContext) async throws -> Response {
        _ = try await database.tokens.revoke(try context.path("id"), as: try context.actor())
        return HTTPJSON.noContent
    }

    /// Rotate the signing key; older keys verify until their tokens expire.
    @Sendable func rotateKeys(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(["kid": try await database.tokens.rotateKey(as: try context.actor())])
    }

    /// The audit trail, oldest first.
    @Sendable func listAudit(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        let filter = AuditQuery(
            principal: query.string("principal"), action: query.string("action"), decision: query.string("decision"),
            resource: query.string("resource"), since: try query.since())
        return try HTTPJSON.response(try await database.audit.list(filter, page: try query.page(), as: try context.actor()))
    }

    /// Check the hash chain.
    @Sendable func verifyAudit(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await database.audit.verify(as: try context.actor()))
    }

    /// A grant named by a request body: the tool, who, and the level.
    private static func grant(_ fields: inout JSONObjectReader) throws -> (String, Grantee, ToolLevel) {
        guard let tool = try fields.string("tool") else { throw DryadError.invalidInput("tool: required") }
        guard let level = try fields.string("level").flatMap(ToolLevel.init(rawValue:)) else {
            throw DryadError.invalidInput("level: expected read, write or execute")
        }
        switch (try fields.string("principal"), try fields.string("principal_type")) {
        case (let name?, nil): return (tool, .principal(name), level)
        case (nil, let type?):
            guard let kind = Principal.Kind(rawValue: type) else { throw DryadError.invalidInput("principal_type: expected user, agent or service") }
            return (tool, .type(kind), level)
        default: throw DryadError.invalidInput("give exactly one of principal and principal_type")
        }
    }
}
