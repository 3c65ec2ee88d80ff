import DryadCore
import Foundation
import Hummingbird

/// `/api/v1/errors`: error logs, optionally tied to memory contexts.
struct ErrorsController: Sendable {
    let database: DryadDatabase
    let maxBody: Int

    func addRoutes(to group: RouterGroup<DryadContext>, table: inout RouteTable) {
        table.add(
            .post, "errors", "Log an error.", on: group, body: RequestBody("ErrorRequest", "{type, message, stack_trace, context_id}"), success: .created,
            response: "ErrorRecord", use: self.log)
        table.add(
            .get, "errors", "List errors, newest first.", on: group, query: ["context", "type", "unresolved", "since", "limit", "cursor"],
            response: "ErrorPage", use: self.list)
        table.add(.get, "errors/{id}", "One error log.", on: group, response: "ErrorRecord", use: self.show)
        table.add(
            .post, "errors/{id}/resolve", "Mark an error resolved.", on: group, body: RequestBody("ResolveRequest", "{note}", required: false),
            response: "ErrorRecord",
            use: self.resolve)
    }

    /// Log an error.
    @Sendable func log(_ request: Request, context: DryadContext) async throws -> Response {
        let (type, message, stackTrace, contextID) = try await HTTPJSON.fields(request, maxBytes: maxBody) { fields in
            (try fields.string("type") ?? "", try fields.string("message") ?? "", try fields.string("stack_trace"), try fields.string("context_id"))
        }
        let record = try await database.errors.log(type: type, message: message, stackTrace: stackTrace, contextID: contextID, as: try context.actor())
        return try HTTPJSON.response(record, status: .created)
    }

    /// List errors, newest first.
    @Sendable func list(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        let filter = ErrorQuery(
            contextID: query.string("context"), errorType: query.string("type"), unresolvedOnly: try query.bool("unresolved"),
            since: try query.since())
        return try HTTPJSON.response(try await database.errors.list(filter, page: try query.page(), as: try context.actor()))
    }

    /// One error log.
    @Sendable func show(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await database.errors.show(try context.path("id"), as: try context.actor()))
    }

    /// Mark an error resolved.
    @Sendable func resolve(_ request: Request, context: DryadContext) async throws -> Response {
        let note = try await HTTPJSON.fields(request, maxBytes: maxBody, required: false) { try $0.string("note") }
        return try HTTPJSON.response(try await database.errors.resolve(try context.path("id"), note: note, as: try context.actor()))
    }
}
