import DryadCore
import DryadTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// All-tools stats, executions across tools and single error logs over REST, as in the CLI,
/// each scoped to what the caller may read.
@Suite struct CrossToolRoutesTests {
    @Test func executionsAndStatsAcrossToolsShowOnlyReadableTools() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            for name in ["open", "closed"] {
                let definition = #"{"name":"\#(name)","description":"d","executor":{"kind":"command","argv":["/bin/cat"]}}"#
                try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(definition)) {
                    #expect($0.status == .created)
                }
                try await client.execute(uri: "/api/v1/tools/\(name)/execute", method: .post, headers: headers(fixture.admin), body: body("{}")) {
                    #expect($0.status == .ok)
                }
            }
            for level in ["read", "execute"] {
                try await client.execute(
                    uri: "/api/v1/permissions", method: .post, headers: headers(fixture.admin),
                    body: body(#"{"tool":"open","principal":"planner","level":"\#(level)"}"#)
                ) { #expect($0.status == .created) }
            }
            try await client.execute(uri: "/api/v1/tools/open/execute", method: .post, headers: headers(fixture.agent), body: body("{}")) {
                #expect($0.status == .ok)
            }

            func toolNames(_ uri: String, _ token: String) async throws -> [String] {
                let response = try await client.execute(uri: uri, method: .get, headers: headers(token))
                #expect(response.status == .ok, "\(uri)")
                let items = fields(response)["items"] as? [[String: Any]] ?? []
                return items.compactMap { ($0["tool_name"] ?? $0["name"]) as? String }
            }
            #expect(try await toolNames("/api/v1/executions", fixture.admin).sorted() == ["closed", "open", "open"])
            #expect(try await toolNames("/api/v1/executions", fixture.agent) == ["open", "open"])
            #expect(try await toolNames("/api/v1/executions?principal=planner", fixture.admin) == ["open"])
            #expect(try await toolNames("/api/v1/executions?status=failed", fixture.admin).isEmpty)
            #expect(try await toolNames("/api/v1/tools/stats", fixture.admin).sorted() == ["closed", "open"])
            #expect(try await toolNames("/api/v1/tools/stats", fixture.agent) == ["open"])
            // The tools the caller may run (`tools list --can execute`).
            #expect(try await toolNames("/api/v1/tools?can=execute", fixture.agent) == ["open"])
            #expect(try await toolNames("/api/v1/tools?can=write", fixture.agent).isEmpty)
            #expect(try await toolNames("/api/v1/tools?can=execute", fixture.admin).sorted() == ["closed", "open"])

            // Pages continue with their cursor, and only in their own listing.
            let first = try await client.execute(uri: "/api/v1/executions?limit=2", method: .get, headers: headers(fixture.admin))
            let cursor = try #require(fields(first)["next_cursor"] as? String)
            #expect(try await toolNames("/api/v1/executions?cursor=\(cursor)", fixture.admin).count == 1)
            let crossed = try await client.execute(uri: "/api/v1/tools/open/history?cursor=\(cursor)", method: .get, headers: headers(fixture.admin))
            #expect(crossed.status == .unprocessableContent)
        }
    }

    @Test func anErrorLogIsShownToItsWriterAndToWritersOfItsContext() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let context = try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent), body: body(#"{"agent_id":"planner"}"#)
            ) { fields($0)["id"] as? String ?? "" }
            let error = try await client.execute(
                uri: "/api/v1/errors", method: .post, headers: headers(fixture.admin),
                body: body(#"{"type":"timeout","message":"slow","context_id":"\#(context)"}"#)
            ) { fields($0)["id"] as? String ?? "" }
            // The owner of the context sees, lists and resolves the admin's log on it.
            try await client.execute(uri: "/api/v1/errors/\(error)", method: .get, headers: headers(fixture.agent)) {
                #expect($0.status == .ok)
                #expect(fields($0)["error_message"] as? String == "slow")
            }
            try await client.execute(uri: "/api/v1/errors?context=\(context)", method: .get, headers: headers(fixture.agent)) {
                #expect((fields($0)["items"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/api/v1/errors/\(error)/resolve", method: .post, headers: headers(fixture.agent, nil)) {
                #expect($0.status == .ok)
                #expect(fields($0)["fix_applied"] as? Bool == true)
            }
            try await client.execute(uri: "/api/v1/errors/nope", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .notFound) }
        }
    }
}
