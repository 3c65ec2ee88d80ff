import DryadCore
import Hummingbird

/// `/healthz`, `/readyz` and `/metrics`: open to anyone, for load balancers and Prometheus.
struct ProbesController: Sendable {
    let database: DryadDatabase
    let metrics: ServerMetrics

    func addRoutes(to router: Router<DryadContext>, table: inout RouteTable) {
        table.add(.get, "healthz", "The process is up.", on: router, use: self.health)
        table.add(.get, "readyz", "The database answers.", on: router, use: self.readiness)
        table.add(.get, "metrics", "Prometheus metrics.", on: router, use: self.prometheus)
    }

    /// The process is up.
    @Sendable func health(_ request: Request, context: DryadContext) async throws -> Response {
        Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
    }

    /// The database answers.
    @Sendable func readiness(_ request: Request, context: DryadContext) async throws -> Response {
        let ready = await database.isReady()
        return Response(status: ready ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "database unavailable\n")))
    }

    /// Prometheus metrics.
    @Sendable func prometheus(_ request: Request, context: DryadContext) async throws -> Response {
        let text = metrics.text()
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
