import DryadCore
import Hummingbird

/// Collects route specs while handlers are registered on a router group: the same call
/// registers a handler and describes it for the OpenAPI document, so the two cannot drift apart.
struct RouteTable {
    private(set) var specs: [RouteSpec] = []

    typealias Handler = @Sendable (Request, DryadContext) async throws -> Response

    mutating func add(
        _ method: HTTPRequest.Method, _ path: String, _ summary: String, on group: RouterGroup<DryadContext>,
        prefix: String = "/api/v1", authenticated: Bool = true, body: RequestBody? = nil, query: [QueryParameter] = [],
        conditional: Bool = false, revalidatable: Bool = false, success: HTTPResponse.Status = .ok, response: String? = nil,
        use handler: @escaping Handler
    ) {
        specs.append(
            RouteSpec(
                method: method, path: prefix + "/" + path, summary: summary, authenticated: authenticated, success: success,
                body: body, response: response, query: query, conditional: conditional, revalidatable: revalidatable))
        group.on(RouterPath(path), method: method, use: handler)
    }

    /// An unauthenticated route at the top level (probes, metrics).
    mutating func add(
        _ method: HTTPRequest.Method, _ path: String, _ summary: String, on router: Router<DryadContext>,
        query: [QueryParameter] = [], use handler: @escaping Handler
    ) {
        specs.append(RouteSpec(method: method, path: "/" + path, summary: summary, authenticated: false, query: query))
        router.on(RouterPath(path), method: method, use: handler)
    }
}
