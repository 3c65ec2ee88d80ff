import Hummingbird

/// One documented route: everything the OpenAPI document says about it, given where the
/// route is registered.
struct RouteSpec: Sendable, Equatable {
    var method: HTTPRequest.Method
    /// OpenAPI form, e.g. `/api/v1/tools/{ref}`.
    var path: String
    var summary: String
    var authenticated: Bool
    /// The status a success answers with.
    var success: HTTPResponse.Status = .ok
    var body: RequestBody? = nil
    /// The success answer's schema (a name in the document's components); nil for none documented.
    var response: String? = nil
    var query: [QueryParameter] = []
    /// Whether the route honours `If-Match` (the OpenAPI document offers it only there).
    var conditional: Bool = false
    /// Whether the route answers `If-None-Match` with 304 Not Modified.
    var revalidatable: Bool = false
}
