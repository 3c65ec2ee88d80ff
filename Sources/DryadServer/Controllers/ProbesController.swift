import DryadCore
import Hummingbird

/// `/healthz` and `/readyz`, open to anyone for load balancers, and `/metrics` for Prometheus:
/// an admin's token, unless the server was started with `--metrics-public`.
struct ProbesController: Sendable {
    let database: DryadDatabase
    let metrics: ServerMetrics
    let metricsPublic: Bool

    func addRoutes(to router: Router<DryadContext>, authenticated: RouterGroup<DryadContext>, table: inout RouteTable) {
        table.add(.get, "healthz", "The process is up.", on: router, use: self.health)
        table.add(.get, "readyz", "The database answers.", on: router, use: self.readiness)
        if metricsPublic {
            table.add(.get, "metrics", "Prometheus metrics.", on: router, use: self.prometheus)
        } else {
            table.add(.get, "metrics", "Prometheus metrics (admin).", on: authenticated, prefix: "", use: self.prometheus)
        }
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
        if !metricsPublic { try await database.authorizeMetricsRead(as: context.actor()) }
        let text = metrics.text()
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
