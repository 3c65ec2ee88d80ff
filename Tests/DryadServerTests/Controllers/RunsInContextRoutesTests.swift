import DryadCore
import DryadTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// Runs in memory contexts over REST (issue 23): the planning document's scenario with the
/// query parameters of `POST /tools/{ref}/execute`, the trace route, `with_runs`, and an agent
/// without access answered 404 everywhere.
@Suite struct RunsInContextRoutesTests {
    @Test func theScenarioOverREST() async throws {
        let fixture = try await Fixture()
        let root = Principal.localOperator(user: "tester")
        _ = try await fixture.database.principals.add("critic", type: .agent, role: .member, as: root)
        let critic = try await fixture.database.tokens.issue(for: "critic", as: root).token
        try await fixture.app().test(.router) { client in
            let tools = [("summarize", #"read -r line; printf '{\"summary\": %s}' \"$line\""#), ("breaker", "echo boom >&2; exit 3")]
            for (name, script) in tools {
                let definition = #"{"name":"\#(name)","description":"d","executor":{"kind":"command","argv":["/bin/sh","-c","\#(script)"]}}"#
                try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(definition)) {
                    #expect($0.status == .created, "\(String(buffer: $0.body))")
                }
                for (principal, level) in [("planner", "execute"), ("critic", "read")] {
                    try await client.execute(
                        uri: "/api/v1/permissions", method: .post, headers: headers(fixture.admin),
                        body: body(#"{"tool":"\#(name)","principal":"\#(principal)","level":"\#(level)"}"#)
                    ) { #expect($0.status == .created) }
                }
            }
            let stored = try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent),
                body: body(#"{"agent_id":"planner","data":{"task":{"topic":"tides"}}}"#))
            let id = try #require(fields(stored)["id"] as? String)

            let ran = try await client.execute(
                uri: "/api/v1/tools/summarize/execute?context=\(id)&input_from=/task&store_output=/result&if_version=1", method: .post,
                headers: headers(fixture.agent), body: body(#"{"depth":3}"#))
            #expect(ran.status == .ok, "\(String(buffer: ran.body))")
            let record = fields(ran)
            #expect(record["context_id"] as? String == id)
            #expect((record["input"] as? [String: Any])?["topic"] as? String == "tides")
            #expect((record["stored_output"] as? [String: Any])?["version"] as? Int == 2)

            let failed = try await client.execute(
                uri: "/api/v1/tools/breaker/execute?context=\(id)", method: .post, headers: headers(fixture.agent), body: body("{}"))
            #expect(failed.status == .ok)
            #expect(fields(failed)["status"] as? String == "failed")

            // A stale version: the run is recorded, the output is not stored, and a warning says why.
            let stale = try await client.execute(
                uri: "/api/v1/tools/summarize/execute?context=\(id)&store_output=/again&if_version=1", method: .post,
                headers: headers(fixture.agent), body: body("{}"))
            #expect(stale.status == .ok)
            #expect((fields(stale)["stored_output"] as? [String: Any])?["stored"] as? Bool == false)
            #expect(stale.headers[values: HTTPField.Name("Warning")!].first?.hasPrefix("299 dryad \"the output was not stored") == true)

            let trace = try await client.execute(uri: "/api/v1/memory/context/\(id)/trace", method: .get, headers: headers(fixture.agent))
            #expect(trace.status == .ok)
            let events = fields(trace)["items"] as? [[String: Any]] ?? []
            #expect(
                events.compactMap { $0["kind"] as? String }.filter { $0 != "decision" } == ["version", "run", "version", "run", "error", "run", "error"])
            #expect(events.first { $0["kind"] as? String == "error" }?["error_type"] as? String == "tool.failed")
            #expect(events.last { $0["kind"] as? String == "error" }?["error_type"] as? String == "tool.output_not_stored")

            let paged = try await client.execute(uri: "/api/v1/memory/context/\(id)/trace?limit=2", method: .get, headers: headers(fixture.agent))
            let cursor = try #require(fields(paged)["next_cursor"] as? String)
            let next = try await client.execute(
                uri: "/api/v1/memory/context/\(id)/trace?limit=2&cursor=\(cursor)", method: .get, headers: headers(fixture.agent))
            #expect((fields(next)["items"] as? [[String: Any]])?.first?["at"] as? String == events[2]["at"] as? String)

            let active = try await client.execute(uri: "/api/v1/memory/context/\(id)?with_runs=true", method: .get, headers: headers(fixture.agent))
            #expect((fields(active)["runs"] as? [Any])?.count == 3)
            #expect((fields(active)["open_errors"] as? [Any])?.count == 2)
            let history = try await client.execute(uri: "/api/v1/tools/summarize/history?context=\(id)", method: .get, headers: headers(fixture.agent))
            #expect((fields(history)["items"] as? [Any])?.count == 2)

            // The critic may read both tools, not the context: 404 for the context, and no runs.
            for (uri, method) in [
                ("/api/v1/memory/context/\(id)/trace", HTTPRequest.Method.get), ("/api/v1/memory/context/\(id)?with_runs=true", .get),
                ("/api/v1/tools/summarize/execute?context=\(id)", .post),
            ] {
                let refused = try await client.execute(uri: uri, method: method, headers: headers(critic), body: body("{}"))
                #expect(refused.status == .notFound, "\(uri)")
                #expect(fields(refused)["detail"] as? String == "context \(id) not found")
            }
            let hidden = try await client.execute(uri: "/api/v1/executions?context=\(id)", method: .get, headers: headers(critic))
            #expect((fields(hidden)["items"] as? [Any])?.isEmpty == true)

            // Parameters that belong to a run in a context need one.
            let orphan = try await client.execute(
                uri: "/api/v1/tools/summarize/execute?store_output=/x", method: .post, headers: headers(fixture.agent), body: body("{}"))
            #expect(orphan.status == .unprocessableContent)
        }
    }
}
