import DryadCore
import Foundation
import Hummingbird

/// `/api/v1/sessions` and `/api/v1/executions/{id}`: recorded runs and the sessions that group them.
struct SessionsController: Sendable {
    let database: DryadDatabase
    let maxBody: Int

    func addRoutes(to group: RouterGroup<DryadContext>, table: inout RouteTable) {
        table.add(
            .get, "executions", "Runs of every tool the caller may read, newest first.", on: group,
            query: [QueryParameter("status", schema: OpenAPISchemas.executionStatus), "principal", "session", "context", "since", "limit", "cursor"],
            response: "ExecutionPage", use: self.listExecutions)
        table.add(.get, "executions/{id}", "One execution record.", on: group, response: "Execution", use: self.showExecution)
        table.add(
            .post, "sessions", "Open a session.", on: group, body: RequestBody("SessionRequest", "{label}", required: false), success: .created,
            response: "Session", use: self.start)
        table.add(.get, "sessions", "Sessions, newest first.", on: group, query: ["limit", "cursor"], response: "SessionPage", use: self.list)
        table.add(
            .get, "sessions/{id}", "A session and a page of its executions.", on: group, query: ["limit", "cursor"], response: "SessionDetail",
            use: self.show)
        table.add(.post, "sessions/{id}/end", "End a session.", on: group, response: "Session", use: self.end)
    }

    /// Runs of every tool the caller may read, newest first.
    @Sendable func listExecutions(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        let filter = ExecutionQuery(
            status: try query.enumValue("status", ExecutionStatus.self), sessionID: query.string("session"), contextID: query.string("context"),
            principal: query.string("principal"),
            since: try query.since())
        return try HTTPJSON.response(try await database.executions.list(filter, page: try query.page(), as: try context.actor()))
    }

    /// One execution record.
    @Sendable func showExecution(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await database.executions.show(try context.path("id"), as: try context.actor()))
    }

    /// Open a session.
    @Sendable func start(_ request: Request, context: DryadContext) async throws -> Response {
        let label = try await HTTPJSON.fields(request, maxBytes: maxBody, required: false) { try $0.string("label") }
        let session = try await database.sessions.start(label: label, as: try context.actor())
        return try HTTPJSON.response(session, status: .created, headers: [.location: "/api/v1/sessions/\(session.id)"])
    }

    /// Sessions, newest first.
    @Sendable func list(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await database.sessions.list(page: try Query(request: request).page(), as: try context.actor()))
    }

    /// A session and its executions.
    @Sendable func show(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await database.sessions.show(try context.path("id"), page: try Query(request: request).page(), as: try context.actor()))
    }

    /// End a session.
    @Sendable func end(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.response(try await database.sessions.end(try context.path("id"), as: try context.actor()))
    }
}
