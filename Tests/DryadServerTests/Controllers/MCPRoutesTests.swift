import DryadCore
import DryadTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// `/mcp` over HTTP (issue 24): tokens, sessions bound to their principal, the Origin rule and
/// the stateless revision, through the router. The official Python client drives the same
/// routes end to end in `Tests/mcp`.
@Suite struct MCPRoutesTests {
    static let initialize =
        #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#
    static let listing = #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#

    @Test func sessionsBelongToTheirPrincipal() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let missing = try await client.execute(uri: "/mcp", method: .post, headers: headers(nil), body: body(Self.initialize))
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate] == "Bearer")

            let opened = try await client.execute(uri: "/mcp", method: .post, headers: headers(fixture.agent), body: body(Self.initialize))
            #expect(opened.status == .ok)
            let session = try #require(opened.headers[HTTPField.Name("Mcp-Session-Id")!])
            let own = headers(fixture.agent, "application/json", ["Mcp-Session-Id": session])
            let listed = try await client.execute(uri: "/mcp", method: .post, headers: own, body: body(Self.listing))
            let tools = try #require((fields(listed)["result"] as? [String: Any])?["tools"] as? [[String: Any]])
            #expect(tools.contains { $0["name"] as? String == "memory_store" })

            // Another principal's token on the session, an unknown session, and none at all.
            let foreign = headers(fixture.admin, "application/json", ["Mcp-Session-Id": session])
            #expect(try await client.execute(uri: "/mcp", method: .post, headers: foreign, body: body(Self.listing)).status == .forbidden)
            let unknown = headers(fixture.agent, "application/json", ["Mcp-Session-Id": "nope"])
            #expect(try await client.execute(uri: "/mcp", method: .post, headers: unknown, body: body(Self.listing)).status == .notFound)
            #expect(try await client.execute(uri: "/mcp", method: .post, headers: headers(fixture.agent), body: body(Self.listing)).status == .badRequest)

            #expect(try await client.execute(uri: "/mcp", method: .delete, headers: own).status == .noContent)
            #expect(try await client.execute(uri: "/mcp", method: .post, headers: own, body: body(Self.listing)).status == .notFound)
        }
    }

    /// A browser page of another site is refused even when its rebound name is the Host too.
    @Test func foreignOriginsAreRefused() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            for (origin, host, status) in [
                ("http://evil.example", "evil.example", HTTPResponse.Status.forbidden), ("null", "127.0.0.1", .forbidden),
                ("http://localhost:8080", "localhost:8080", .ok), ("http://127.0.0.1:9", "127.0.0.1:9", .ok),
            ] {
                let sent = headers(fixture.agent, "application/json", ["Origin": origin, "Host": host])
                let answer = try await client.execute(uri: "/mcp", method: .post, headers: sent, body: body(Self.initialize))
                #expect(answer.status == status, "\(origin)")
            }
        }
    }

    /// The stateless revision needs no session; a revision dryad does not speak is 400 with -32022.
    @Test func statelessRequestsNeedNoSession() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let stateless = headers(fixture.agent, "application/json", ["MCP-Protocol-Version": "2026-07-28"])
            let listed = try await client.execute(
                uri: "/mcp", method: .post, headers: stateless,
                body: body(#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#))
            #expect(listed.status == .ok)
            #expect(listed.headers[HTTPField.Name("Mcp-Session-Id")!] == nil)
            #expect((fields(listed)["result"] as? [String: Any])?["resultType"] as? String == "complete")
            let future = try await client.execute(
                uri: "/mcp", method: .post, headers: stateless,
                body: body(#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2030-01-01"}}}"#))
            #expect(future.status == .badRequest)
            #expect((fields(future)["error"] as? [String: Any])?["code"] as? Int == -32022)
        }
    }
}
