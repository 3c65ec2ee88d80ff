import DryadMCP
import ServiceLifecycle

/// Ends the upstream servers' programs and HTTP sessions when the server stops (gracefully or
/// because another service failed), after the requests in flight have finished.
struct UpstreamShutdownService: Service {
    let pool: MCPUpstreamPool

    func run() async throws {
        try? await gracefulShutdown()
        let pool = pool
        // An unstructured task: a cancelled group must not cancel stopping the programs.
        await Task { await pool.shutdown() }.value
    }
}
