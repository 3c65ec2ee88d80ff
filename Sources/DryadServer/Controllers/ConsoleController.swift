import DryadCore
import HTTPTypes
import Hummingbird

/// The web console: static files embedded in the binary (`ConsoleAssets`), served at
/// `/console/` with `/` redirecting there. The pages call `/api/v1` with a token the user
/// pastes, so they need no route of their own and every API rule applies; the files themselves
/// are public, as a login page is. Not in the OpenAPI document (not part of the API).
struct ConsoleController: Sendable {
    /// No inline script or style, no other origin, no framing: stored content shown as text
    /// could not run even if it were ever put in as markup.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func addRoutes(to router: Router<DryadContext>) {
        router.get("/", use: self.root)
        router.get("console", use: self.index)
        router.get("console/{file}", use: self.file)
    }

    /// `/` → `/console/`.
    @Sendable func root(_ request: Request, context: DryadContext) async throws -> Response {
        Response(status: .found, headers: [.location: "/console/"])
    }

    /// The console's page.
    @Sendable func index(_ request: Request, context: DryadContext) async throws -> Response {
        try serve("index.html")
    }

    /// One of the console's files; anything else is 404.
    @Sendable func file(_ request: Request, context: DryadContext) async throws -> Response {
        try serve(try context.path("file"))
    }

    private func serve(_ name: String) throws -> Response {
        guard let asset = ConsoleAssets.files[name] else { throw DryadError.notFound("no console file \(name)") }
        return Response(
            status: .ok,
            headers: [
                .contentType: asset.contentType, .contentSecurityPolicy: Self.contentSecurityPolicy, .xContentTypeOptions: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "no-referrer", .cacheControl: "no-cache",
            ],
            body: .init(byteBuffer: ByteBuffer(string: asset.body)))
    }
}
