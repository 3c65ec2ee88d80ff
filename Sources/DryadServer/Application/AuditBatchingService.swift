import DryadCore
import ServiceLifecycle

/// The read-audit batches as a service of the server's group: started with the server and
/// flushed when the group stops, gracefully or because another service failed. (Flushing after
/// `runService()` returned was skipped whenever the server stopped with an error.)
///
/// Hummingbird shuts its services down after the HTTP server, so the requests still in flight
/// at shutdown have queued their entries before this flush.
struct AuditBatchingService: Service {
    let database: DryadDatabase

    func run() async throws {
        await database.startAuditBatching()
        // Returns on graceful shutdown, throws on cancellation: either way the batch is written.
        try? await gracefulShutdown()
        let database = database
        // An unstructured task: a cancelled group must not cancel the write of the last batch.
        await Task { await database.flushAudit() }.value
    }
}
