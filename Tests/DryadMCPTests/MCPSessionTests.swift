import DryadCore
import DryadTestSupport
import Foundation
import Testing

@testable import DryadMCP

/// The session's lifecycle and revision rules, without a transport.
@Suite struct MCPSessionTests {
    let folder: TemporaryFolder
    let session: MCPSession

    init() throws {
        folder = try TemporaryFolder(prefix: "dryad-mcp")
        let database = try DryadDatabase(path: folder.path + "/d.db")
        session = MCPSession(
            database: database, principal: Principal(name: "planner", kind: .agent, role: .member), settings: MCPSettings(),
            environment: [:])
    }

    private func ask(_ method: String, _ params: String = "{}", id: Int64 = 1) async throws -> [String: JSONValue] {
        let answer = await session.receive(.request(id: .integer(id), method: method, params: try JSONValue.parse(params)))
        return try #require(answer?.objectValue)
    }

    private static let stateless = #"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#

    @Test func handshakeRequestsWaitForInitialize() async throws {
        let early = try await ask("tools/list")
        #expect(early["error"]?.objectValue?["code"] == .integer(-32600))
        let agreed = try await ask("initialize", #"{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}"#)
        #expect(agreed["result"]?.objectValue?["protocolVersion"] == .string("2025-06-18"))
        let unknown = try await ask("prompts/list", id: 2)
        #expect(unknown["error"]?.objectValue?["code"] == .integer(-32601))
        #expect(unknown["id"] == .integer(2))
    }

    /// A stateless request needs no initialize; its result says it is complete and not to be
    /// shared across callers; another revision named in `_meta` is refused with the supported list.
    @Test func statelessRequestsStandAlone() async throws {
        let discovered = try #require(try await ask("server/discover", Self.stateless)["result"]?.objectValue)
        #expect(discovered["supportedVersions"]?.arrayValue?.first == .string("2026-07-28"))
        #expect(discovered["resultType"] == .string("complete"))
        #expect(discovered["cacheScope"] == .string("private"))
        let future = try await ask("tools/list", #"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01"}}"#)
        let error = try #require(future["error"]?.objectValue)
        #expect(error["code"] == .integer(-32022))
        #expect(error["data"]?.objectValue?["supported"] == .array([.string("2026-07-28")]))
        // Methods of the handshake revisions only are not served statelessly.
        let subscribe = try await ask("resources/subscribe", Self.stateless)
        #expect(subscribe["error"]?.objectValue?["code"] == .integer(-32601))
    }

    /// Only the contexts the marks were read for are judged; a deleted one is reported once.
    @Test func changeFeedJudgesOnlyWhatItRead() {
        var feed = MCPChangeFeed()
        feed.watch("a", version: 1)
        #expect(feed.apply(ChangeMarks(tools: 1, memory: 1, versions: ["a": 1]), asked: ["a"]) == (false, []))
        feed.watch("b", version: 4)  // subscribed while the next marks were being read
        let changes = feed.apply(ChangeMarks(tools: 2, memory: 2, versions: ["a": 2]), asked: ["a"])
        #expect(changes.toolsChanged && changes.updated == ["a"])
        #expect(feed.versions["b"] == 4)
        #expect(feed.apply(ChangeMarks(tools: 2, memory: 3, versions: ["b": 4]), asked: ["a", "b"]).updated == ["a"])
        #expect(feed.watched == ["b"])
    }
}
