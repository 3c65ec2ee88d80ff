import DryadTestSupport
import Foundation
import Testing

@testable import DryadCore

/// A tool's runs over time: buckets aligned to the epoch, every bucket present, counts by
/// status and rank percentiles per bucket, pages of `maxBuckets`, and the read rule of `stats`.
@Suite struct StatsSeriesTests {
    let folder: TemporaryFolder
    let database: DryadDatabase
    /// 2026-12-01T10:00:00Z, on an hour.
    let hour = Date(timeIntervalSince1970: 1_796_119_200)

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    func run(_ tool: ToolVersion, _ status: ExecutionStatus, ms: Int, at seconds: Double) -> ExecutionRecord {
        let started = Timestamp.format(hour.addingTimeInterval(seconds))
        return ExecutionRecord(
            id: UUID().uuidString.lowercased(), toolID: tool.id, toolName: tool.name, toolVersion: tool.version, sessionID: nil,
            principal: "local:test", input: .object([:]), output: nil, status: status, error: nil, exitCode: nil, httpStatus: nil,
            durationMs: ms, startedAt: started, finishedAt: started)
    }

    func seed() async throws -> ToolVersion {
        let tool = try #require(try await database.tools.register([definition("s")], as: testOperator).first)
        let other = try #require(try await database.tools.register([definition("other")], as: testOperator).first)
        let rows =
            (1...10).map { run(tool, .succeeded, ms: $0 * 10, at: Double($0)) }  // 10:00: 10..100 ms
            + [run(tool, .failed, ms: 500, at: 1800), run(tool, .denied, ms: 0, at: 1801)]  // 10:30
            + [run(tool, .timedOut, ms: 3000, at: 7200), run(tool, .cancelled, ms: 9000, at: 7300)]  // 12:00
            + [run(other, .succeeded, ms: 1, at: 5)]
        try await database.write { db in for row in rows { try ExecutionLog.insert(row, in: db) } }
        return tool
    }

    @Test func bucketsCountByStatusWithPercentiles() async throws {
        _ = try await seed()
        let series = try await database.executions.series(
            .nameOrID("s"), bucket: 3600, since: hour.addingTimeInterval(600), until: hour.addingTimeInterval(3 * 3600), as: testOperator)
        #expect(series.since == "2026-12-01T10:00:00.000Z")
        #expect(series.buckets.map(\.start) == (10...13).map { "2026-12-01T\($0):00:00.000Z" })
        #expect(series.next == nil)
        let first = series.buckets[0]
        #expect(first.succeeded == 10 && first.failed == 1 && first.denied == 1)
        // 11 runs reached the executor: ranks 6 and 11 of 10..100 ms and 500 ms.
        #expect(first.p50Ms == 60 && first.p95Ms == 500)
        #expect(series.buckets[1] == StatsBucket(start: "2026-12-01T11:00:00.000Z"))
        // A cancelled run is counted, not timed: it did not finish.
        #expect(series.buckets[2].timedOut == 1 && series.buckets[2].cancelled == 1 && series.buckets[2].p50Ms == 3000)
    }

    @Test func longRangesArePagedByTime() async throws {
        _ = try await seed()
        let until = hour.addingTimeInterval(Double(StatsSeries.maxBuckets + 10) * 60)
        let first = try await database.executions.series(.nameOrID("s"), bucket: 60, since: hour, until: until, as: testOperator)
        #expect(first.buckets.count == StatsSeries.maxBuckets)
        let next = try #require(first.next)
        #expect(next == first.until)
        let rest = try await database.executions.series(
            .nameOrID("s"), bucket: 60, since: try #require(Timestamp.parse(next)), until: until, as: testOperator)
        #expect(rest.buckets.first?.start == next && rest.next == nil)
        #expect(first.buckets.map(\.succeeded).reduce(0, +) == 10)
    }

    @Test func badRangesAndHiddenToolsAreRefused() async throws {
        _ = try await seed()
        #expect(await errorCode { _ = try await database.executions.series(.nameOrID("s"), bucket: 59, as: testOperator) } == "invalid_input")
        #expect(
            await errorCode { _ = try await database.executions.series(.nameOrID("s"), bucket: 60, since: hour, until: hour, as: testOperator) }
                == "invalid_input")
        #expect(await errorCode { _ = try await database.executions.series(.nameOrID("nope"), bucket: 3600, as: testOperator) } == "not_found")
        _ = try await database.principals.add("carol", type: .user, role: .member, as: testOperator)
        let carol = try await database.principals.acting(as: "carol", requestID: nil)
        #expect(await errorCode { _ = try await database.executions.series(.nameOrID("s"), bucket: 3600, as: carol) } == "not_found")
        _ = try await database.permissions.grant("s", to: .principal("carol"), level: .read, as: testOperator)
        let seen = try await database.executions.series(
            .nameOrID("s"), bucket: 3600, since: hour, until: hour.addingTimeInterval(3600), as: carol)
        #expect(seen.buckets.first?.succeeded == 10)
    }
}
