import Hummingbird

/// `/api/v1/openapi.json`: the document written from the route table, served as built.
struct OpenAPIController: Sendable {
    /// The route of the document itself, which the document lists too.
    static let route = RouteSpec(method: .get, path: "/api/v1/openapi.json", summary: "This document.", authenticated: false, requestBody: nil, query: [])

    let document: String

    /// Writes the document for `routes` (every route registered before this one).
    init(routes: [RouteSpec]) {
        document = OpenAPIDocument.make(routes: routes + [Self.route])
    }

    func addRoutes(to group: RouterGroup<DryadContext>, table: inout RouteTable) {
        table.add(.get, "openapi.json", Self.route.summary, on: group, authenticated: false, use: self.serve)
    }

    /// This document.
    @Sendable func serve(_ request: Request, context: DryadContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: document)))
    }
}
