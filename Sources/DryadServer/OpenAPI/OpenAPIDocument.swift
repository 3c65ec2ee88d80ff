import DryadCore
import Foundation
import Hummingbird
import OpenAPIKit

/// Builds the OpenAPI 3.1 document with OpenAPIKit from the route table the server registers,
/// and validates it: statuses, bodies and parameters come from each route's `RouteSpec`; the
/// body schemas are `OpenAPISchemas.components`.
enum OpenAPIDocument {
    /// OpenAPIKit's schema model (DryadCore's `JSONSchema` is the validator).
    typealias Schema = OpenAPIKit.JSONSchema

    /// The document as the server serves it (canonical JSON); throws when it does not validate.
    static func make(routes: [RouteSpec]) throws -> String {
        let document = try build(routes: routes)
        _ = try document.validate()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Written through JSONValue so the served bytes are canonical like every other answer.
        return sortingRequired(try JSONValue.parse(try encoder.encode(document))).canonicalText
    }

    /// `required` lists in name order: OpenAPIKit reads a schema's properties through a keyed
    /// decoding container, whose key order changes from one process to the next, and writes
    /// `required` in that order (a set, but the committed document must not churn).
    private static func sortingRequired(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields):
            var sorted = fields.mapValues(sortingRequired)
            if case .array(let names)? = fields["required"] {
                sorted["required"] = .array(names.sorted { ($0.stringValue ?? "") < ($1.stringValue ?? "") })
            }
            return .object(sorted)
        case .array(let items):
            return .array(items.map(sortingRequired))
        default:
            return value
        }
    }

    static func build(routes: [RouteSpec]) throws -> OpenAPI.Document {
        var paths: OpenAPI.PathItem.Map = [:]
        for route in routes {
            let key = OpenAPI.Path(rawValue: route.path)
            var item = paths[key]?.b ?? OpenAPI.PathItem()
            item[OpenAPI.HttpMethod(rawValue: route.method.rawValue)!] = try operation(route)
            paths[key] = .b(item)
        }
        var schemas: OpenAPI.ComponentDictionary<Schema> = [:]
        for (name, schema) in OpenAPISchemas.components.merging(["Problem": problem]) { current, _ in current }.sorted(by: { $0.key < $1.key }) {
            schemas[OpenAPI.ComponentKey(rawValue: name)!] = try Self.schema(schema)
        }
        return OpenAPI.Document(
            openAPIVersion: .v3_1_0,
            info: .init(
                title: "dryad", description: "Tool registry and agent memory. Errors are RFC 9457 problems with stable codes.",
                version: DryadVersion.current),
            servers: [], paths: paths,
            components: .init(schemas: schemas, securitySchemes: ["bearer": .b(.http(scheme: "bearer", bearerFormat: "JWT"))]),
            security: [[.component(named: "bearer"): []]])
    }

    private static func operation(_ route: RouteSpec) throws -> OpenAPI.Operation {
        var parameters: OpenAPI.Parameter.Array = try pathParameters(route.path).map { name in
            .b(.path(name: name, schema: try schema(OpenAPISchemas.pathParameters[name] ?? .object(["type": .string("string")]))))
        }
        for parameter in route.query {
            parameters.append(
                .b(
                    OpenAPI.Parameter(
                        name: parameter.name,
                        context: .query(
                            required: parameter.required, allowEmptyValue: !parameter.required, schema: try schema(OpenAPISchemas.schema(of: parameter))))))
        }
        if route.conditional {
            parameters.append(.b(.header(name: "If-Match", required: false, schema: .string)))
        }
        if route.revalidatable {
            parameters.append(.b(.header(name: "If-None-Match", required: false, schema: .string)))
        }
        var request: OpenAPI.Request?
        if let body = route.body {
            let type: OpenAPI.ContentType = route.method == .patch ? OpenAPI.ContentType(rawValue: "application/merge-patch+json")! : .json
            request = OpenAPI.Request(
                description: body.description, content: [type: Self.body(body.schema)], required: body.required)
        }
        return OpenAPI.Operation(
            summary: route.summary, operationId: operationID(route), parameters: parameters, requestBody: request,
            responses: responses(route), security: route.authenticated ? nil : [])
    }

    /// `get_api_v1_tools_ref`: the method and the path's words.
    private static func operationID(_ route: RouteSpec) -> String {
        route.method.rawValue.lowercased()
            + route.path.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
            .replacingOccurrences(of: ".", with: "_")
    }

    private static func responses(_ route: RouteSpec) -> OpenAPI.Response.Map {
        var responses: OpenAPI.Response.Map = [:]
        let content: OpenAPI.Content.Map = route.response.map { [.json: body($0)] } ?? [:]
        responses[.status(code: Int(route.success.code))] = .response(description: "success", content: content)
        if route.revalidatable { responses[.status(code: 304)] = .response(description: "not modified: If-None-Match names the current ETag") }
        let problem: OpenAPI.Content.Map = [OpenAPI.ContentType(rawValue: "application/problem+json")!: body("Problem")]
        // 503 `busy`: the file stayed locked by another writer, or read audits could not be written.
        let codes = route.authenticated ? [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503] : [500]
        for code in codes { responses[.status(code: code)] = .response(description: "problem", content: problem) }
        return responses
    }

    /// A body of the schema named `component`.
    private static func body(_ component: String) -> Either<OpenAPI.Reference<OpenAPI.Content>, OpenAPI.Content> {
        .b(OpenAPI.Content(schema: Schema.reference(.component(named: component))))
    }

    /// A schema written as JSON (`OpenAPISchemas`), read into OpenAPIKit's model.
    private static func schema(_ json: JSONValue) throws -> Schema {
        try JSONDecoder().decode(Schema.self, from: Data(json.canonicalText.utf8))
    }

    private static let problem: JSONValue = .object([
        "type": .string("object"),
        "required": .array(["type", "title", "status", "detail", "code"].map(JSONValue.string)),
        "properties": .object([
            "type": .object(["type": .string("string")]), "title": .object(["type": .string("string")]),
            "status": .object(["type": .string("integer")]), "detail": .object(["type": .string("string")]),
            "code": .object(["type": .string("string"), "enum": .array(problemCodes.map(JSONValue.string))]),
        ]),
    ])

    static let problemCodes = [
        "not_found", "permission_denied", "conflict", "schema_too_new", "invalid_input", "busy", "tool_failed",
        "storage_error", "quota_exceeded", "malformed_json", "too_large", "unsupported_media_type", "rate_limited", "internal", "http_error", "no_route",
        "method_not_allowed",
    ]

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
        }
    }
}
