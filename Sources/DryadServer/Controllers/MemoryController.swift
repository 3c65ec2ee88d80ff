import DryadCore
import Foundation
import Hummingbird

/// `/api/v1/memory` and `/api/v1/errors`.
struct MemoryController: Sendable {
    let database: DryadDatabase
    let maxBody: Int

    func addRoutes(to group: RouterGroup<DryadContext>, table: inout RouteTable) {
        let database = database, maxBody = maxBody
        let memory = database.memory

        table.add(.post, "memory/context", "Store a context.", on: group, body: "{agent_id, context_type, data, parent_id, tags, ttl_seconds, key}") {
            request, context in
            let fields = try await HTTPJSON.object(request, maxBytes: maxBody)
            let draft = MemoryDraft(
                agentID: try fields.string("agent_id") ?? "", contextType: try fields.string("context_type") ?? MemoryDraft.defaultType,
                data: fields.present("data") ?? .object([:]), parentID: try fields.string("parent_id"),
                tags: try fields.strings("tags") ?? [], ttl: try fields.number("ttl_seconds"), key: try fields.string("key"))
            let stored = try await memory.store(draft, as: try context.actor())
            return try HTTPJSON.response(stored, status: .created, headers: etag(stored.version, location: "/api/v1/memory/context/\(stored.id)"))
        }

        table.add(.get, "memory/context", "List contexts, newest first.", on: group, query: ["agent", "type", "tag", "parent", "limit", "cursor"]) {
            request, context in
            let query = Query(request: request)
            let filter = MemoryQuery(
                agentID: query.string("agent"), contextType: query.string("type"), tags: query.strings("tag"), parentID: query.string("parent"))
            return try HTTPJSON.response(try await memory.list(filter, page: try query.page(), as: try context.actor()))
        }

        table.add(
            .get, "memory/context/{id}", "Get a context (resolved=true merges the ancestors; explain=true adds provenance).", on: group,
            query: ["resolved", "explain"]
        ) { request, context in
            let query = Query(request: request)
            let id = try context.path("id")
            let principal = try context.actor()
            let (resolved, explain) = (try query.bool("resolved"), try query.bool("explain"))
            if resolved {
                let found = try await memory.resolvedEncoded(id, explain: explain, as: principal)
                return try HTTPJSON.response(found.json, headers: etag(found.version))
            }
            let found = try await memory.get(id, as: principal)
            return try HTTPJSON.response(found, headers: etag(found.version))
        }

        table.add(
            .put, "memory/context/{id}", "Replace a context's data (If-Match: version; on_conflict=merge).", on: group,
            body: "{data, tags, ttl_seconds}", query: ["on_conflict"], conditional: true
        ) { request, context in
            let fields = try await HTTPJSON.object(request, maxBytes: maxBody)
            let change = MemoryChange(
                content: fields.present("data").map { .replace($0) } ?? .keep, tags: try fields.strings("tags"),
                ttl: try fields.number("ttl_seconds"), ifVersion: try ifMatch(request),
                onConflict: try Query(request: request).enumValue("on_conflict", MemoryChange.ConflictPolicy.self) ?? .reject)
            let updated = try await memory.update(try context.path("id"), change, as: try context.actor())
            return try HTTPJSON.response(updated, headers: etag(updated.version))
        }

        table.add(
            .patch, "memory/context/{id}", "Apply an RFC 7396 merge patch (application/merge-patch+json).", on: group,
            body: "merge patch", query: ["on_conflict"], conditional: true
        ) { request, context in
            let patch = try await HTTPJSON.body(request, maxBytes: maxBody, contentTypes: ["application/merge-patch+json"])
            let change = MemoryChange(
                content: .mergePatch(patch), ifVersion: try ifMatch(request),
                onConflict: try Query(request: request).enumValue("on_conflict", MemoryChange.ConflictPolicy.self) ?? .reject)
            let updated = try await memory.update(try context.path("id"), change, as: try context.actor())
            return try HTTPJSON.response(updated, headers: etag(updated.version))
        }

        table.add(
            .delete, "memory/context/{id}", "Delete a context (recursive=true for its subtree).", on: group, query: ["recursive"], conditional: true
        ) { request, context in
            _ = try await memory.delete(
                try context.path("id"), recursive: try Query(request: request).bool("recursive"),
                ifVersion: try ifMatch(request), as: try context.actor())
            return HTTPJSON.noContent
        }

        table.add(.get, "memory/search", "Full-text search, best first.", on: group, query: ["q", "agent", "type", "tag", "since", "limit", "cursor"]) {
            request, context in
            let query = Query(request: request)
            guard let text = query.string("q") else { throw DryadError.invalidInput("q: required") }
            let filter = MemoryQuery(agentID: query.string("agent"), contextType: query.string("type"), tags: query.strings("tag"), since: try query.since())
            return try HTTPJSON.response(try await memory.searchEncoded(text, filter, page: try query.page(), as: try context.actor()))
        }

        table.add(.get, "memory/context/{id}/parents", "The ancestors, nearest first.", on: group) { _, context in
            try HTTPJSON.list(try await memory.parents(try context.path("id"), as: try context.actor()))
        }

        table.add(.get, "memory/context/{id}/children", "The children (recursive=true for the subtree).", on: group, query: ["recursive"]) { request, context in
            try HTTPJSON.list(
                try await memory.children(
                    try context.path("id"), recursive: try Query(request: request).bool("recursive"),
                    as: try context.actor()))
        }

        table.add(.get, "memory/context/{id}/history", "Every version.", on: group) { _, context in
            try HTTPJSON.list(try await memory.history(try context.path("id"), as: try context.actor()))
        }

        table.add(.post, "memory/context/{id}/shares", "Share with an agent.", on: group, body: "{agent_id, access}") { request, context in
            let fields = try await HTTPJSON.object(request, maxBytes: maxBody)
            let access =
                try fields.string("access").map { text throws(DryadError) -> MemoryAccess in
                    guard let access = MemoryAccess(rawValue: text) else { throw DryadError.invalidInput("access: expected read or write") }
                    return access
                } ?? .read
            let shared = try await memory.share(
                try context.path("id"), with: try fields.string("agent_id") ?? "", access: access,
                as: try context.actor())
            return try HTTPJSON.response(shared)
        }

        table.add(.delete, "memory/context/{id}/shares/{agent}", "Stop sharing with an agent.", on: group) { _, context in
            try HTTPJSON.response(
                try await memory.unshare(
                    try context.path("id"), with: try context.path("agent"),
                    as: try context.actor()))
        }

        table.add(.post, "memory/purge", "Remove expired contexts.", on: group) { _, context in
            try HTTPJSON.response(["purged": try await memory.purge(as: try context.actor())])
        }

        table.add(.post, "errors", "Log an error.", on: group, body: "{type, message, stack_trace, context_id}") { request, context in
            let fields = try await HTTPJSON.object(request, maxBytes: maxBody)
            let record = try await database.errors.log(
                type: try fields.string("type") ?? "", message: try fields.string("message") ?? "",
                stackTrace: try fields.string("stack_trace"), contextID: try fields.string("context_id"), as: try context.actor())
            return try HTTPJSON.response(record, status: .created)
        }

        table.add(.get, "errors", "List errors, newest first.", on: group, query: ["context", "type", "unresolved", "since", "limit", "cursor"]) {
            request, context in
            let query = Query(request: request)
            let filter = ErrorQuery(
                contextID: query.string("context"), errorType: query.string("type"), unresolvedOnly: try query.bool("unresolved"),
                since: try query.since())
            return try HTTPJSON.response(try await database.errors.list(filter, page: try query.page(), as: try context.actor()))
        }

        table.add(.post, "errors/{id}/resolve", "Mark an error resolved.", on: group, body: "{note}") { request, context in
            var note: String?
            if request.headers[.contentType] != nil { note = try await HTTPJSON.object(request, maxBytes: maxBody).string("note") }
            return try HTTPJSON.response(try await database.errors.resolve(try context.path("id"), note: note, as: try context.actor()))
        }
    }
}
