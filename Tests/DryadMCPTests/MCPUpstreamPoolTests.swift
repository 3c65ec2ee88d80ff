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

    /// A program that never answers `initialize` cannot hold a call past the call's timeout:
    /// the call ends while the link is still opening (which may take 20 s), and stopping the pool
    /// does not wait the opening out but stops the program. (Wall-clock bounds would not hold
    /// in a parallel test run on two cores, where every job queues for seconds.)
    @Test func aSilentServerCannotHoldACall() async throws {
        let shared = try TemporaryFolder()
        chmod(shared.path, 0o777)
        let pidFile = shared.path + "/pid"
        let silent = UpstreamServer(
            name: "silent",
            transport: .stdio(
                CommandEndpoint(argv: ["/bin/sh", "-c", "echo $$ > \(pidFile); exec sleep 60"], sandbox: SandboxPolicy(allowWrite: [shared.path]))))
        let pool = MCPUpstreamPool(database: database, environment: ["PATH": "/usr/bin:/bin"])
        let ending = await pool.call("t", arguments: .object([:]), on: silent, timeout: .seconds(1))
        #expect(ending == .timedOut)
        #expect(await pool.isOpening("silent"))
        await pool.shutdown()
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) != 0)
    }

    /// A program that dies at once is a failure that says how it ended, and why (its stderr,
    /// quoted while it starts).
    @Test func aDeadServerFailsWithItsReason() async throws {
        let pool = MCPUpstreamPool(database: database, environment: ["PATH": "/usr/bin:/bin"])
        let ending = await pool.call(
            "t", arguments: .object([:]), on: server(["/bin/sh", "-c", "echo missing module >&2; exit 3"]), timeout: .seconds(120))
        guard case .failed(let reason) = ending else {
            Issue.record("expected a failure, got \(ending)")
            return
        }
        #expect(reason == "its process ended (exit code 3): missing module")
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
