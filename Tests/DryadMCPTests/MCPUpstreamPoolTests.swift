import DryadCore
import DryadTestSupport
import Foundation
import Testing

@testable import DryadMCP

/// The upstream client's bounds, against programs that misbehave; a well-behaved upstream
/// (the official Python package) is driven by Tests/mcp/gateway_test.py.
@Suite struct MCPUpstreamPoolTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    func server(_ argv: [String]) -> UpstreamServer {
        UpstreamServer(name: "bad", transport: .stdio(CommandEndpoint(argv: argv)))
    }

    /// A program that never answers `initialize` cannot hold a call past the call's timeout.
    @Test func aSilentServerCannotHoldACall() async throws {
        let pool = MCPUpstreamPool(database: database, environment: ["PATH": "/usr/bin:/bin"])
        let clock = ContinuousClock()
        let started = clock.now
        let ending = await pool.call("t", arguments: .object([:]), on: server(["sleep", "60"]), timeout: .seconds(1))
        #expect(ending == .timedOut)
        #expect(clock.now - started < .seconds(5))
        // Stopping does not wait out the opening (20 s) either.
        await pool.shutdown()
        #expect(clock.now - started < .seconds(8))
    }

    /// A program that dies at once is a failure that says how it ended, and why (its stderr,
    /// quoted while it starts).
    @Test func aDeadServerFailsWithItsReason() async throws {
        let pool = MCPUpstreamPool(database: database, environment: ["PATH": "/usr/bin:/bin"])
        let ending = await pool.call(
            "t", arguments: .object([:]), on: server(["/bin/sh", "-c", "echo missing module >&2; exit 3"]), timeout: .seconds(10))
        guard case .failed(let reason) = ending else {
            Issue.record("expected a failure, got \(ending)")
            return
        }
        #expect(reason.hasPrefix("its process ended (exit code 3)"))
        await pool.shutdown()
    }

    /// Event streams: `data:` lines joined, comments and other fields skipped, events split
    /// across chunks, and an event over the limit refused.
    @Test func eventStreamsAreSplitIntoMessages() throws {
        var reader = EventStreamReader(limit: 64)
        let first = try reader.take(Array(": ping\nevent: message\ndata: {\"a\":\ndata: 1}\n\nid: 7\ndata: [2".utf8))
        #expect(first.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":\n1}"])
        let second = try reader.take(Array("]\r\n\r\n".utf8))
        #expect(second.map { String(decoding: $0, as: UTF8.self) } == ["[2]"])
        #expect(errorCode { _ = try reader.take(Array(("data: " + String(repeating: "x", count: 100)).utf8)) } == "tool_failed")
    }
}
