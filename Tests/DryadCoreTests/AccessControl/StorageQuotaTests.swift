import DryadTestSupport
import Foundation
import GRDB
import Testing

@testable import DryadCore

/// Principals' storage quotas: counted in the database, refused past the limit (exit 5 /
/// HTTP 409 `quota_exceeded`) with nothing half-written, and freed again by deletes.
@Suite struct StorageQuotaTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    func agent(_ name: String) async throws -> Principal {
        try await database.principals.add(name, type: .agent, role: .member, as: testOperator).principal(requestID: nil)
    }

    /// The counters the triggers keep, against a count of what is stored.
    func expectCountersMatchTheRows() async throws {
        let (counted, recounted) = try await database.read { db in
            (
                try Row.fetchAll(db, sql: "SELECT principal, memory_bytes, error_logs, sessions FROM principal_usage ORDER BY principal")
                    .map { "\($0["principal"] as String) \($0["memory_bytes"] as Int) \($0["error_logs"] as Int) \($0["sessions"] as Int)" },
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT p AS principal, sum(m) AS m, sum(e) AS e, sum(s) AS s FROM (
                            SELECT c.agent_id AS p, length(CAST(v.data AS BLOB)) AS m, 0 AS e, 0 AS s
                                FROM memory_version v JOIN memory_context c ON c.id = v.context_id
                            UNION ALL SELECT principal, 0, 1, 0 FROM error_log
                            UNION ALL SELECT principal, 0, 0, 1 FROM tool_session
                            UNION ALL SELECT principal, 0, 0, 0 FROM principal_usage)
                        GROUP BY p ORDER BY p
                        """
                ).map { "\($0["principal"] as String) \($0["m"] as Int) \($0["e"] as Int) \($0["s"] as Int)" }
            )
        }
        #expect(counted == recounted)
    }

    @Test func memoryPastTheQuotaIsRefusedAndDeletesFreeIt() async throws {
        let planner = try await agent("planner")
        #expect(try await database.principals.quotas("planner", as: testOperator).map(\.limit) == [256 << 20, 100_000, 10_000])
        let usage = try await database.principals.setQuotas("planner", [.memoryBytes: 1_500], as: testOperator)
        #expect(usage.first == QuotaUsage(quota: .memoryBytes, limit: 1_500, isDefault: false, used: 0))

        // 611 bytes of canonical JSON each.
        let payload = JSONValue.object(["text": .string(String(repeating: "a", count: 600))])
        let first = try await database.memory.store(MemoryDraft(agentID: "planner", data: payload), as: planner)
        _ = try await database.memory.store(MemoryDraft(agentID: "planner", data: payload, parentID: first.id), as: planner)
        let refusal = DryadError.quotaExceeded("planner would hold 1833 bytes of memory, over its memory_bytes quota of 1500")
        await #expect(throws: refusal) {
            _ = try await database.memory.store(MemoryDraft(agentID: "planner", data: payload), as: planner)
        }
        // Every kept version counts: an update adds one more.
        let other = JSONValue.object(["text": .string(String(repeating: "b", count: 600))])
        await #expect(throws: refusal) {
            _ = try await database.memory.update(first.id, MemoryChange(content: .replace(other)), as: planner)
        }
        // An admin storing on the agent's behalf is charged to the agent too.
        await #expect(throws: refusal) {
            _ = try await database.memory.store(MemoryDraft(agentID: "planner", data: payload), as: testOperator)
        }
        #expect(try await database.memory.get(first.id, as: planner).version == 1)
        #expect(try await database.principals.quotas("planner", as: testOperator).first?.used == 1222)
        try await expectCountersMatchTheRows()

        #expect(try await database.memory.delete(first.id, recursive: true, as: planner) == 2)
        #expect(try await database.principals.quotas("planner", as: testOperator).first?.used == 0)
        _ = try await database.memory.store(MemoryDraft(agentID: "planner", data: payload), as: planner)
        _ = try await database.principals.setQuotas("planner", [.memoryBytes: nil], as: testOperator)
        #expect(try await database.principals.quotas("planner", as: testOperator).first?.isDefault == true)
        try await expectCountersMatchTheRows()
    }

    @Test func errorLogsAndSessionsPastTheirQuotasAreRefused() async throws {
        let planner = try await agent("planner")
        _ = try await database.principals.setQuotas("planner", [.errorLogs: 2, .sessions: 1], as: testOperator)
        for _ in 0..<2 { _ = try await database.errors.log(type: "t", message: "m", as: planner) }
        await #expect(throws: DryadError.quotaExceeded("planner would hold 3 error logs, over its error_logs quota of 2")) {
            _ = try await database.errors.log(type: "t", message: "m", as: planner)
        }
        _ = try await database.sessions.start(label: nil, as: planner)
        await #expect(throws: DryadError.quotaExceeded("planner would hold 2 sessions, over its sessions quota of 1")) {
            _ = try await database.sessions.start(label: nil, as: planner)
        }
        #expect(try await database.principals.quotas("planner", as: testOperator).map(\.used) == [0, 2, 1])
        // Others are not affected, and quotas are the admin's to set.
        let critic = try await agent("critic")
        _ = try await database.sessions.start(label: nil, as: critic)
        await #expect(throws: DryadError.permissionDenied("critic may not do this: it needs the admin role")) {
            _ = try await database.principals.setQuotas("critic", [.sessions: 100], as: critic)
        }
        await #expect(throws: DryadError.invalidInput("sessions: must be from 0 to 1000000000000000")) {
            _ = try await database.principals.setQuotas("planner", [.sessions: -1], as: testOperator)
        }
        try await expectCountersMatchTheRows()
    }

    /// A file from before the quotas (schema v11) is counted when it is migrated.
    @Test func theMigrationCountsWhatAFileAlreadyHolds() async throws {
        let planner = try await agent("planner")
        let context = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object(["a": .integer(1)])), as: planner)
        _ = try await database.memory.update(context.id, MemoryChange(content: .replace(.object(["a": .integer(22)]))), as: planner)
        _ = try await database.errors.log(type: "t", message: "m", as: planner)
        _ = try await database.sessions.start(label: nil, as: planner)
        try await database.pool.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    DROP TRIGGER usage_memory_version_insert; DROP TRIGGER usage_memory_context_delete; DROP TRIGGER usage_error_log_insert;
                    DROP TRIGGER usage_error_log_delete; DROP TRIGGER usage_session_insert; DROP TRIGGER usage_session_delete;
                    DROP TABLE principal_usage;
                    ALTER TABLE principal DROP COLUMN quota_memory_bytes; ALTER TABLE principal DROP COLUMN quota_error_logs;
                    ALTER TABLE principal DROP COLUMN quota_sessions;
                    DROP INDEX tool_execution_by_time;
                    DROP INDEX tool_execution_by_context; DROP INDEX error_log_by_context_time; DROP INDEX audit_by_resource; DROP INDEX memory_version_by_time;
                    DROP TABLE memory_share_event;
                    ALTER TABLE tool_execution DROP COLUMN context_id; ALTER TABLE tool_execution DROP COLUMN stored_output;
                    ALTER TABLE memory_version DROP COLUMN execution_id; ALTER TABLE memory_version DROP COLUMN changed_leaves;
                    ALTER TABLE error_log DROP COLUMN execution_id; ALTER TABLE error_log DROP COLUMN resolved_by;
                    ALTER TABLE tool_execution DROP COLUMN via; ALTER TABLE tool_execution DROP COLUMN mcp_session;
                    DROP TABLE upstream_server;
                    DELETE FROM grdb_migrations WHERE identifier IN (
                        'v12-storage-quotas', 'v13-executions-by-time', 'v14-runs-in-contexts', 'v15-run-origins', 'v16-upstream-servers');
                    PRAGMA user_version = 11;
                    """)
        }
        let migrated = try DryadDatabase(path: folder.path + "/d.db")
        #expect(try await migrated.principals.quotas("planner", as: testOperator).map(\.used) == [15, 1, 1])
        #expect(try await migrated.check(as: testOperator).allSatisfy(\.ok))
    }
}
