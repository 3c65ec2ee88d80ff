import Hummingbird
import Synchronization

/// `/api/v1/openapi.json`: the document written from the route table, built when first asked
/// for (OpenAPIKit's model and validation cost about a second of a debug build's CPU, which
/// every server made by the test suite paid at start-up) and then served as built.
final class OpenAPIController: Sendable {
    /// The route of the document itself, which the document lists too.
    static let route = RouteSpec(method: .get, path: "/api/v1/openapi.json", summary: "This document.", authenticated: false)

    private let routes: [RouteSpec]
    private let document = Mutex<String?>(nil)

    /// Serves the document for `routes` (every route registered before this one).
    init(routes: [RouteSpec]) {
        self.routes = routes + [Self.route]
    }

    func addRoutes(to group: RouterGroup<DryadContext>, table: inout RouteTable) {
        table.add(.get, "openapi.json", Self.route.summary, on: group, authenticated: false, use: self.serve)
    }

    /// This document.
    @Sendable func serve(_ request: Request, context: DryadContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: try text())))
    }

    /// The document, built once.
    func text() throws -> String {
        try document.withLock { document in
            if let document { return document }
            let built = try OpenAPIDocument.make(routes: routes)
            document = built
            return built
        }
    }
}
