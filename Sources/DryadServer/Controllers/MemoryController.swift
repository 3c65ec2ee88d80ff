import DryadCore
import Foundation
import Hummingbird

/// `/api/v1/memory`: contexts, search, sharing and versions.
struct MemoryController: Sendable {
    let database: DryadDatabase
    let maxBody: Int
    var memory: MemoryStore { database.memory }

    func addRoutes(to group: RouterGroup<DryadContext>, table: inout RouteTable) {
        table.add(
            .post, "memory/context", "Store a context.", on: group,
            body: RequestBody("MemoryDraft", "{agent_id, context_type, data, parent_id, tags, ttl_seconds, key}"), success: .created, response: "MemoryContext",
            use: self.store)
        table.add(
            .get, "memory/context", "List contexts, newest first (agent_id is another name for agent).", on: group,
            query: ["agent", "agent_id", "type", "tag", "parent", "key", "limit", "cursor"],
            response: "MemoryContextPage", use: self.list)
        table.add(
            .get, "memory/context/{id}",
            "Get a context (resolved=true merges the ancestors; explain=true adds provenance; with_runs=true adds runs and open errors).",
            on: group, query: ["resolved", "explain", "with_runs"], revalidatable: true, response: "MemoryContext", use: self.get)
        table.add(
            .put, "memory/context/{id}", "Replace a context's data (If-Match: version; on_conflict=merge).", on: group,
            body: RequestBody("MemoryReplace", "{data, tags, ttl_seconds}"), query: ["on_conflict"], conditional: true, response: "MemoryContext",
            use: self.replace)
        table.add(
            .patch, "memory/context/{id}", "Apply an RFC 7396 merge patch (application/merge-patch+json).", on: group,
            body: RequestBody("MergePatch", "merge patch"), query: ["on_conflict"], conditional: true, response: "MemoryContext", use: self.patch)
        table.add(
            .delete, "memory/context/{id}", "Delete a context (recursive=true for its subtree).", on: group, query: ["recursive"], conditional: true,
            success: .noContent, use: self.delete)
        table.add(
            .get, "memory/search", "Full-text search, best first.", on: group,
            query: [QueryParameter("q", schema: OpenAPISchemas.searchText, required: true), "agent", "type", "tag", "since", "limit", "cursor"],
            response: "MemoryContextPage", use: self.search)
        table.add(
            .get, "memory/context/{id}/parents", "The ancestors, nearest first.", on: group, query: ["limit", "cursor"], response: "MemoryContextPage",
            use: self.parents)
        table.add(
            .get, "memory/context/{id}/children", "The children (recursive=true for the subtree).", on: group, query: ["recursive", "limit", "cursor"],
            response: "MemoryContextPage", use: self.children)
        table.add(
            .get, "memory/context/{id}/history", "Every version, oldest first.", on: group, query: ["limit", "cursor"], response: "MemoryContextPage",
            use: self.history)
        table.add(
            .get, "memory/context/{id}/trace", "What happened to a context, oldest first (subtree=true adds its descendants).", on: group,
            query: ["subtree", "since", "limit", "cursor"], response: "TraceEventPage", use: self.trace)
        table.add(
            .post, "memory/context/{id}/shares", "Share with an agent.", on: group, body: RequestBody("ShareRequest", "{agent_id, access}"),
            response: "MemoryContext", use: self.share)
        table.add(.delete, "memory/context/{id}/shares/{agent}", "Stop sharing with an agent.", on: group, response: "MemoryContext", use: self.unshare)
        table.add(.post, "memory/purge", "Remove expired contexts.", on: group, response: "Purged", use: self.purge)
    }

    /// Store a context.
    @Sendable func store(_ request: Request, context: DryadContext) async throws -> Response {
        let draft = try await HTTPJSON.fields(request, maxBytes: maxBody, readOnly: MemoryContext.readOnlyFields) { fields in
            MemoryDraft(
                agentID: try fields.string("agent_id") ?? "", contextType: try fields.string("context_type") ?? MemoryDraft.defaultType,
                data: fields.present("data") ?? .object([:]), parentID: try fields.string("parent_id"),
                tags: try fields.stringArray("tags") ?? [], ttl: try fields.number("ttl_seconds"), key: try fields.string("key"))
        }
        let stored = try await memory.store(draft, as: try context.actor())
        return try HTTPJSON.response(stored, status: .created, headers: etag(stored.version, location: "/api/v1/memory/context/\(stored.id)"))
    }

    /// List contexts, newest first.
    @Sendable func list(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        let filter = MemoryQuery(
            agentID: query.string("agent") ?? query.string("agent_id"), contextType: query.string("type"), tags: query.strings("tag"),
            parentID: query.string("parent"), key: query.string("key"))
        return try HTTPJSON.response(try await memory.list(filter, page: try query.page(), as: try context.actor()))
    }

    /// Get a context (resolved=true merges the ancestors; explain=true adds provenance).
    @Sendable func get(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        let id = try context.path("id")
        let principal = try context.actor()
        let (resolved, explain, withRuns) = (try query.bool("resolved"), try query.bool("explain"), try query.bool("with_runs"))
        if withRuns {
            // Runs change without a new version, so this answer has no ETag to revalidate.
            let found =
                resolved
                ? try await memory.resolved(.id(id), explain: explain, withRuns: true, as: principal)
                : try await memory.get(.id(id), withRuns: true, as: principal)
            return try HTTPJSON.response(found)
        }
        if resolved {
            let found = try await memory.resolvedEncoded(id, explain: explain, as: principal)
            return try notModified(request, entityTag: found.entityTag) ?? HTTPJSON.response(found.json, headers: etag(found.entityTag))
        }
        let found = try await memory.get(id, as: principal)
        return try notModified(request, entityTag: found.version) ?? HTTPJSON.response(found, headers: etag(found.version))
    }

    /// What happened to a context, oldest first.
    @Sendable func trace(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        let page = try await memory.trace(
            try context.path("id"), subtree: try query.bool("subtree"), since: try query.since(), page: try query.page(), as: try context.actor())
        return try HTTPJSON.response(page)
    }

    /// Replace a context's data (If-Match: version; on_conflict=merge).
    @Sendable func replace(_ request: Request, context: DryadContext) async throws -> Response {
        let id = try context.path("id")
        let actor = try context.actor()
        let policy = try Query(request: request).enumValue("on_conflict", MemoryChange.ConflictPolicy.self) ?? .reject
        var change = try await preconditionFirst(request, check: { try await requireVersion(id, request, policy, actor) }) {
            try await HTTPJSON.fields(request, maxBytes: maxBody, readOnly: MemoryContext.readOnlyFields) { fields in
                var change = MemoryChange(
                    content: fields.present("data").map { .replace($0) } ?? .keep, tags: try fields.stringArray("tags"),
                    ttl: try fields.number("ttl_seconds"))
                // A context written out and sent back restates what was fixed when it was stored.
                for field in MemoryContext.fixedFields { change.restated[field] = fields.value(field) }
                return change
            }
        }
        change.ifVersion = ifMatch(request)
        change.onConflict = policy
        let updated = try await memory.update(id, change, as: actor)
        return try HTTPJSON.response(updated, headers: etag(updated.version))
    }

    /// Apply an RFC 7396 merge patch (application/merge-patch+json).
    @Sendable func patch(_ request: Request, context: DryadContext) async throws -> Response {
        let id = try context.path("id")
        let actor = try context.actor()
        let policy = try Query(request: request).enumValue("on_conflict", MemoryChange.ConflictPolicy.self) ?? .reject
        let patch = try await preconditionFirst(request, check: { try await requireVersion(id, request, policy, actor) }) {
            try await HTTPJSON.body(request, maxBytes: maxBody, contentTypes: ["application/merge-patch+json"])
        }
        let change = MemoryChange(content: .mergePatch(patch), ifVersion: ifMatch(request), onConflict: policy)
        let updated = try await memory.update(id, change, as: actor)
        return try HTTPJSON.response(updated, headers: etag(updated.version))
    }

    /// The precondition alone, for `preconditionFirst`; a merge is never stale, so it has none.
    private func requireVersion(_ id: String, _ request: Request, _ policy: MemoryChange.ConflictPolicy, _ actor: Principal) async throws {
        guard policy == .reject else { return }
        try await memory.requireVersion(id, ifMatch(request) ?? ExpectedNumbers([]), as: actor)
    }

    /// Delete a context (recursive=true for its subtree).
    @Sendable func delete(_ request: Request, context: DryadContext) async throws -> Response {
        _ = try await memory.delete(
            try context.path("id"), recursive: try Query(request: request).bool("recursive"),
            ifVersion: ifMatch(request), as: try context.actor())
        return HTTPJSON.noContent
    }

    /// Full-text search, best first.
    @Sendable func search(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        guard let text = query.string("q") else { throw DryadError.invalidInput("q: required") }
        let filter = MemoryQuery(agentID: query.string("agent"), contextType: query.string("type"), tags: query.strings("tag"), since: try query.since())
        return try HTTPJSON.response(try await memory.searchEncoded(text, filter, page: try query.page(), as: try context.actor()))
    }

    /// The ancestors, nearest first.
    @Sendable func parents(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await memory.parents(try context.path("id"), page: try Query(request: request).page(), as: try context.actor()))
    }

    /// The children (recursive=true for the subtree).
    @Sendable func children(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        return try HTTPJSON.response(
            try await memory.children(try context.path("id"), recursive: try query.bool("recursive"), page: try query.page(), as: try context.actor()))
    }

    /// Every version.
    @Sendable func history(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await memory.history(try context.path("id"), page: try Query(request: request).page(), as: try context.actor()))
    }

    /// Share with an agent.
    @Sendable func share(_ request: Request, context: DryadContext) async throws -> Response {
        let (agent, access) = try await HTTPJSON.fields(request, maxBytes: maxBody) { fields in
            let access =
                try fields.string("access").map { text throws(DryadError) -> MemoryAccess in
                    guard let access = MemoryAccess(rawValue: text) else { throw DryadError.invalidInput("access: expected read or write") }
                    return access
                } ?? .read
            return (try fields.string("agent_id") ?? "", access)
        }
        let shared = try await memory.share(try context.path("id"), with: agent, access: access, as: try context.actor())
        return try HTTPJSON.response(shared)
    }

    /// Stop sharing with an agent.
    @Sendable func unshare(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(
            try await memory.unshare(
                try context.path("id"), with: try context.path("agent"),
                as: try context.actor()))
    }

    /// Remove expired contexts.
    @Sendable func purge(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(["purged": try await memory.purge(as: try context.actor())])
    }
}
