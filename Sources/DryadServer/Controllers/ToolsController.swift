import DryadCore
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/tools`: the catalogue and running tools. Each route is a method: decode, one core
/// call, encode.
struct ToolsController: Sendable {
    let database: DryadDatabase
    let environment: [String: String]
    /// Reaches the tools of upstream MCP servers; nil where there is none (the OpenAPI listing).
    let upstream: (any UpstreamClient)?
    let maxBody: Int
    let metrics: ServerMetrics

    /// RFC 7234's `Warning` (HTTPTypes names only current fields; this literal is a valid token).
    static let warningHeader = HTTPField.Name("Warning")!

    func addRoutes(to group: RouterGroup<DryadContext>, table: inout RouteTable) {
        table.add(
            .post, "tools", "Register tool versions (one definition or a list).", on: group, body: RequestBody("ToolDefinitions", "ToolDefinition"),
            success: .created, response: "ToolOrPage", use: self.register)
        table.add(
            .get, "tools", "List tools (latest version of each, sorted by name).", on: group,
            query: [
                "q", "tag", QueryParameter("status", schema: OpenAPISchemas.toolStatus),
                QueryParameter("sandbox", schema: OpenAPISchemas.sandboxMode), "all_versions", QueryParameter("can", schema: OpenAPISchemas.toolLevel),
                "limit", "cursor",
            ], response: "ToolPage",
            use: self.list)
        table.add(.get, "tools/{ref}", "Get a tool version (NAME, NAME@VERSION or id).", on: group, revalidatable: true, response: "Tool", use: self.get)
        table.add(
            .put, "tools/{ref}", "Change the mutable fields of a tool version to match a definition.", on: group,
            body: RequestBody("ToolDefinition", "ToolDefinition"),
            conditional: true, response: "Tool", use: self.replace)
        table.add(
            .delete, "tools/{ref}", "Delete a tool version, or a whole tool with all_versions=true.", on: group, query: ["all_versions"],
            conditional: true, success: .noContent, use: self.delete)
        table.add(
            .post, "tools/{ref}/execute", "Run a tool with the body as its input; 200 with the execution record.", on: group,
            body: RequestBody("ToolInput", "any JSON"), query: ["session", "timeout", "context", "input_from", "store_output", "if_version", "on_conflict"],
            response: "Execution", use: self.execute)
        table.add(
            .get, "tools/{ref}/history", "A tool's executions, newest first.", on: group,
            query: [QueryParameter("status", schema: OpenAPISchemas.executionStatus), "session", "context", "since", "limit", "cursor"],
            response: "ExecutionPage",
            use: self.history)
        table.add(
            .get, "tools/{ref}/stats", "Counts, success rate and durations per version.", on: group, query: ["since"], response: "ToolStatsPage",
            use: self.stats)
        table.add(
            .get, "tools/{ref}/stats/series", "Runs over time in buckets (default 1h, since 24h ago): counts by status, p50/p95.", on: group,
            query: ["bucket", "since", "until"], response: "StatsSeries", use: self.series)
        // A constant segment outranks `{ref}`: a tool named `stats` is `tools/stats@VERSION` or its id here.
        table.add(
            .get, "tools/stats", "Counts, success rate and durations of every version of every readable tool.", on: group, query: ["since"],
            response: "ToolStatsPage", use: self.allStats)
    }

    /// Register tool versions (one definition or a list).
    @Sendable func register(_ request: Request, context: DryadContext) async throws -> Response {
        let body = try await HTTPJSON.body(request, maxBytes: maxBody)
        let values: [JSONValue] = body.arrayValue ?? [body]
        var definitions: [ToolDefinition] = []
        for (index, value) in values.enumerated() {
            definitions.append(try ToolDefinition(json: value, path: values.count > 1 ? "[\(index)]" : ""))
        }
        let tools = try await database.tools.register(definitions, as: try context.actor())
        if body.arrayValue == nil, let tool = tools.first {
            return try HTTPJSON.response(tool, status: .created, headers: etag(tool.revision, location: "/api/v1/tools/\(tool.reference)"))
        }
        return try HTTPJSON.response(Page(items: tools, nextCursor: nil), status: .created)
    }

    /// List tools (latest version of each, sorted by name).
    @Sendable func list(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        let filter = ToolQuery(
            text: query.string("q"), tags: query.strings("tag"), status: try query.enumValue("status", ToolStatus.self),
            sandbox: try query.enumValue("sandbox", SandboxPolicy.Mode.self), allVersions: try query.bool("all_versions"),
            can: try query.enumValue("can", ToolLevel.self))
        return try HTTPJSON.response(try await database.tools.listEncoded(filter, page: try query.page(), as: try context.actor()))
    }

    /// Get a tool version (NAME, NAME@VERSION or id).
    @Sendable func get(_ request: Request, context: DryadContext) async throws -> Response {
        let reference = try ToolReference(try context.path("ref"))
        let tool = try await database.tools.get(reference, as: try context.actor())
        // A revision counts changes of one version; a name (or id) answers with whichever version
        // is latest, which a new version changes while its revision starts again at 1.
        let revalidated = if case .version = reference { notModified(request, entityTag: tool.revision) } else { Response?.none }
        return try revalidated ?? HTTPJSON.response(tool, headers: etag(tool.revision))
    }

    /// Change the mutable fields of a tool version to match a definition.
    @Sendable func replace(_ request: Request, context: DryadContext) async throws -> Response {
        let reference = try ToolReference(try context.path("ref"))
        let actor = try context.actor()
        let definition = try await preconditionFirst(
            request, check: { try await database.tools.requireRevision(reference, ifMatch(request) ?? ExpectedNumbers([]), as: actor) }
        ) {
            try ToolDefinition(json: try await HTTPJSON.body(request, maxBytes: maxBody))
        }
        let updated = try await database.tools.replace(reference, with: definition, ifRevision: ifMatch(request), as: actor)
        return try HTTPJSON.response(updated, headers: etag(updated.revision))
    }

    /// Delete a tool version, or a whole tool with all_versions=true.
    @Sendable func delete(_ request: Request, context: DryadContext) async throws -> Response {
        let reference = try ToolReference(try context.path("ref"))
        _ = try await database.tools.delete(
            reference, allVersions: try Query(request: request).bool("all_versions"),
            ifRevision: ifMatch(request), as: try context.actor())
        return HTTPJSON.noContent
    }

    /// Run a tool with the body as its input; 200 with the execution record.
    @Sendable func execute(_ request: Request, context: DryadContext) async throws -> Response {
        let reference = try ToolReference(try context.path("ref"))
        let query = Query(request: request)
        let placement = try query.string("context").map { contextID in
            RunInContext(
                contextID: contextID, inputFrom: query.string("input_from"), storeOutput: query.string("store_output"),
                ifVersion: try query.int("if_version").map { ExpectedNumbers($0) },
                onConflict: try query.enumValue("on_conflict", MemoryChange.ConflictPolicy.self) ?? .reject)
        }
        if placement == nil, let orphan = ["input_from", "store_output", "if_version", "on_conflict"].first(where: { query.string($0) != nil }) {
            throw DryadError.invalidInput("\(orphan): applies to a run in a context; give context too")
        }
        let input = try await HTTPJSON.body(request, maxBytes: maxBody)
        let outcome = try await database.executor(environment: environment, upstream: upstream).execute(
            reference, input: input, sessionID: query.string("session"), timeout: try query.double("timeout"), in: placement, origin: .api,
            as: try context.actor())
        metrics.execution(tool: outcome.record.toolName, status: outcome.record.status.rawValue)
        switch (outcome.record.status, outcome.failure) {
        case (.rejected, let failure?), (.denied, let failure?):
            var problem = Problem(failure)
            problem.extra["execution"] = try JSONValue.parse(try JSONEncoder().encode(outcome.record), maxDepth: 1000)
            throw problem
        default:
            guard !outcome.warnings.isEmpty else { return try HTTPJSON.response(outcome.record) }
            // What the CLI prints to stderr: a `warnings` member, and `Warning: 299` headers as
            // Kubernetes sends for deprecated APIs (kubectl and most clients show them).
            var headers = HTTPFields()
            for warning in outcome.warnings { headers.append(HTTPField(name: Self.warningHeader, value: "299 dryad \"\(Self.quotable(warning))\"")) }
            var body = try JSONValue.parse(try JSONEncoder().encode(outcome.record), maxDepth: 1000).objectValue ?? [:]
            body["warnings"] = .array(outcome.warnings.map(JSONValue.string))
            return try HTTPJSON.response(JSONValue.object(body), headers: headers)
        }
    }

    /// A warning as a quoted-string's text: printable ASCII without `"` or `\` (a reason may
    /// quote a value or name a path in any script), anything else as `?`.
    static func quotable(_ warning: String) -> String {
        String(
            String.UnicodeScalarView(warning.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" ? $0 : "?" }))
    }

    /// A tool's executions, newest first.
    @Sendable func history(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        let filter = ExecutionQuery(
            status: try query.enumValue("status", ExecutionStatus.self), sessionID: query.string("session"), contextID: query.string("context"),
            since: try query.since())
        let page = try await database.executions.history(
            try ToolReference(try context.path("ref")), filter,
            page: try query.page(), as: try context.actor())
        return try HTTPJSON.response(page)
    }

    /// Counts, success rate and durations of every readable tool's versions.
    @Sendable func allStats(_ request: Request, context: DryadContext) async throws -> Response {
        try HTTPJSON.list(try await database.executions.stats(nil, since: try Query(request: request).since(), as: try context.actor()))
    }

    /// A tool's runs over time, for plots.
    @Sendable func series(_ request: Request, context: DryadContext) async throws -> Response {
        let query = Query(request: request)
        let bucket = try query.string("bucket").map { text in
            guard let seconds = TimeWindow.duration(text) else { throw DryadError.invalidInput("bucket: expected a duration like 15m, 1h or 1d") }
            return Int(seconds)
        }
        let series = try await database.executions.series(
            try ToolReference(try context.path("ref")), bucket: bucket ?? 3600, since: try query.since(), until: try query.since("until"),
            as: try context.actor())
        return try HTTPJSON.response(series)
    }

    /// Counts, success rate and durations per version.
    @Sendable func stats(_ request: Request, context: DryadContext) async throws -> Response {
        let stats = try await database.executions.stats(
            try ToolReference(try context.path("ref")),
            since: try Query(request: request).since(), as: try context.actor())
        return try HTTPJSON.list(stats)
    }
}
