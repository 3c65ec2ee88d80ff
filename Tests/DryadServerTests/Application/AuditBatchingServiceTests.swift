import DryadCore
import DryadTestSupport
import Logging
import ServiceLifecycle
import Testing

@testable import DryadServer

/// The last read-audit batch is written when the server's service group stops, also when it
/// stops because a service failed: an audited read is never lost with the process.
@Suite struct AuditBatchingServiceTests {
    /// A service that fails once the others are running.
    struct FailingService: Service {
        struct Failure: Error {}
        func run() async throws {
            try await Task.sleep(for: .milliseconds(200))
            throw Failure()
        }
    }

    @Test func aFailingGroupStillWritesTheQueuedReads() async throws {
        let folder = try TemporaryFolder()
        // An hour between batches: only the flush at the group's end can write these entries.
        let database = try DryadDatabase(path: folder.path + "/d.db", readAudit: .batched(interval: .seconds(3600)))
        let root = Principal.localOperator(user: "tester")
        _ = try await database.tools.register([ToolDefinition(name: "t", description: "d")], as: root)
        let group = ServiceGroup(
            configuration: .init(services: [AuditBatchingService(database: database), FailingService()], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(50))
        for _ in 0..<3 { _ = try await database.tools.get(.nameOrID("t"), as: root) }
        await #expect(throws: FailingService.Failure.self) { try await running.value }

        let plain = try DryadDatabase(path: folder.path + "/d.db")
        #expect(try await plain.audit.list(AuditQuery(action: "tools.get"), as: root).items.count == 3)
        #expect(try await plain.audit.verify(as: root).ok)
    }
}
