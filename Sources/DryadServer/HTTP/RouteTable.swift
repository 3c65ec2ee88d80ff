import DryadCore
import Hummingbird

/// One documented route: the same list registers handlers and writes the OpenAPI document,
/// so the two cannot drift apart.
struct RouteSpec: Sendable, Equatable {
    var method: HTTPRequest.Method
    /// OpenAPI form, e.g. `/api/v1/tools/{ref}`.
    var path: String
    var summary: String
    var authenticated: Bool
    var requestBody: String?
    var query: [String]
    /// Whether the route honours `If-Match` (the OpenAPI document offers it only there).
    var conditional: Bool = false
}

/// Collects route specs while handlers are registered on a router group.
struct RouteTable {
    private(set) var specs: [RouteSpec] = []

    typealias Handler = @Sendable (Request, DryadContext) async throws -> Response

    mutating func add(
        _ method: HTTPRequest.Method, _ path: String, _ summary: String, on group: RouterGroup<DryadContext>,
        prefix: String = "/api/v1", authenticated: Bool = true, body: String? = nil, query: [String] = [],
        conditional: Bool = false, use handler: @escaping Handler
    ) {
        specs.append(
            RouteSpec(
                method: method, path: prefix + "/" + path, summary: summary, authenticated: authenticated,
                requestBody: body, query: query, conditional: conditional))
        group.on(RouterPath(path), method: method, use: handler)
    }

    mutating func add(
        _ method: HTTPRequest.Method, _ path: String, _ summary: String, on router: Router<DryadContext>,
        query: [String] = [], use handler: @escaping Handler
    ) {
        specs.append(RouteSpec(method: method, path: "/" + path, summary: summary, authenticated: false, requestBody: nil, query: query))
        router.on(RouterPath(path), method: method, use: handler)
    }
}
