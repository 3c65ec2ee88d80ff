import DryadCore
import Hummingbird

/// Where `dryad serve` listens.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}

/// Builds the HTTP application over one database; `dryad serve` and the tests both call this.
public func buildApplication(database: DryadDatabase, configuration: ServerConfiguration = ServerConfiguration()) -> some ApplicationProtocol {
    let router = Router()
    HealthController(database: database).addRoutes(to: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "dryad"))
}

/// `GET /healthz` (process up) and `GET /readyz` (database answers).
struct HealthController: Sendable {
    let database: DryadDatabase

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let ready = await database.isReady()
            return Response(status: ready ? .ok : .serviceUnavailable,
                            body: ResponseBody(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "database unavailable\n")))
        }
    }
}
