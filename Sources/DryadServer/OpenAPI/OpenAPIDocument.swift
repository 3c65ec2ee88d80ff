import DryadCore
import Hummingbird

/// Writes the OpenAPI 3.1 document from the route table the server registers.
enum OpenAPIDocument {
    static func make(routes: [RouteSpec]) -> String {
        var paths: [String: JSONValue] = [:]
        for route in routes {
            var operation: [String: JSONValue] = [
                "summary": .string(route.summary),
                "operationId": .string(
                    route.method.rawValue.lowercased()
                        + route.path.replacingOccurrences(of: "/", with: "_")
                        .replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "").replacingOccurrences(of: ".", with: "_")),
                "responses": .object(responses(for: route)),
            ]
            var parameters: [JSONValue] = pathParameters(route.path).map { name in
                .object([
                    "name": .string(name), "in": .string("path"), "required": .bool(true),
                    "schema": OpenAPISchemas.pathParameters[name] ?? .object(["type": .string("string")]),
                ])
            }
            parameters += route.query.map { name in
                let query = OpenAPISchemas.query(name, route: "\(route.method.rawValue) \(route.path)")
                return .object([
                    "name": .string(name), "in": .string("query"), "required": .bool(query.required), "allowEmptyValue": .bool(!query.required),
                    "schema": query.schema,
                ])
            }
            if route.conditional {
                parameters.append(
                    .object([
                        "name": .string("If-Match"), "in": .string("header"), "required": .bool(false),
                        "schema": .object(["type": .string("string")]),
                    ]))
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            let bodies = OpenAPISchemas.bodies["\(route.method.rawValue) \(route.path)"]
            if let body = route.requestBody {
                let type = route.method == .patch ? "application/merge-patch+json" : "application/json"
                let schema: JSONValue = bodies?.request.map { .object(["$ref": .string("#/components/schemas/\($0)")]) } ?? .object([:])
                operation["requestBody"] = .object([
                    "required": .bool(route.method != .post || !route.path.hasSuffix("/sessions")), "description": .string(body),
                    "content": .object([type: .object(["schema": schema])]),
                ])
            }
            if !route.authenticated { operation["security"] = .array([]) }
            var item = paths[route.path]?.objectValue ?? [:]
            item[route.method.rawValue.lowercased()] = .object(operation)
            paths[route.path] = .object(item)
        }
        let problem: JSONValue = .object([
            "type": .string("object"),
            "required": .array(["type", "title", "status", "detail", "code"].map(JSONValue.string)),
            "properties": .object([
                "type": .object(["type": .string("string")]), "title": .object(["type": .string("string")]),
                "status": .object(["type": .string("integer")]), "detail": .object(["type": .string("string")]),
                "code": .object(["type": .string("string"), "enum": .array(problemCodes.map(JSONValue.string))]),
            ]),
        ])
        let document: JSONValue = .object([
            "openapi": .string("3.1.0"),
            "info": .object([
                "title": .string("dryad"), "version": .string(DryadVersion.current),
                "description": .string("Tool registry and agent memory. Errors are RFC 9457 problems with stable codes."),
            ]),
            "paths": .object(paths),
            "components": .object([
                "schemas": .object(OpenAPISchemas.components.merging(["Problem": problem]) { current, _ in current }),
                "securitySchemes": .object(["bearer": .object(["type": .string("http"), "scheme": .string("bearer"), "bearerFormat": .string("JWT")])]),
            ]),
            "security": .array([.object(["bearer": .array([])])]),
        ])
        return document.canonicalText
    }

    static let problemCodes = [
        "not_found", "permission_denied", "conflict", "schema_too_new", "invalid_input", "busy", "tool_failed",
        "storage_error", "malformed_json", "too_large", "unsupported_media_type", "rate_limited", "internal", "http_error", "no_route",
    ]

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
        }
    }

    private static func responses(for route: RouteSpec) -> [String: JSONValue] {
        let problem: JSONValue = .object([
            "description": .string("problem"),
            "content": .object(["application/problem+json": .object(["schema": .object(["$ref": .string("#/components/schemas/Problem")])])]),
        ])
        var responses: [String: JSONValue] = [:]
        let success =
            route.method == .post && route.summary.hasPrefix("Register") || route.summary.hasPrefix("Store") || route.summary.hasPrefix("Add")
                || route.summary.hasPrefix("Issue") || route.summary.hasPrefix("Open") || route.summary.hasPrefix("Log") || route.summary.hasPrefix("Grant")
            ? "201" : (route.method == .delete && !route.summary.hasPrefix("Stop") ? "204" : "200")
        if let schema = OpenAPISchemas.bodies["\(route.method.rawValue) \(route.path)"]?.response {
            responses[success] = .object([
                "description": .string("success"),
                "content": .object(["application/json": .object(["schema": .object(["$ref": .string("#/components/schemas/\(schema)")])])]),
            ])
        } else {
            responses[success] = .object(["description": .string("success")])
        }
        // 503 `busy`: the file stayed locked by another writer, or read audits could not be written.
        let codes = route.authenticated ? ["400", "401", "403", "404", "409", "412", "413", "415", "422", "429", "500", "503"] : ["500"]
        for code in codes { responses[code] = problem }
        return responses
    }
}
