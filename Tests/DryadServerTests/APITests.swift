import DryadCore
import DryadTestSupport
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

@Suite struct APITests {
    @Test func healthAndOpenAPIAreOpenEverythingElseNeedsAToken() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { #expect($0.status == .ok) }
            for token in [nil, "garbage", fixture.admin + "x"] {
                try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(token)) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(fields(response)["code"] as? String == "permission_denied")
                }
            }
            try await client.execute(uri: "/api/v1/nope", method: .get, headers: headers(fixture.admin)) { response in
                #expect(response.status == .notFound)
                #expect(fields(response)["code"] as? String == "no_route")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test func toolsLifecycleWithETagsAndProblems() async throws {
        let fixture = try await Fixture()
        try await fixture.app(ServerConfiguration(maxBody: 4096)).test(.router) { client in
            let definition =
                #"{"name":"echo","description":"d","input_schema":{"type":"object","required":["q"]},"executor":{"kind":"command","argv":["/bin/cat"]}}"#
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(definition)) { response in
                #expect(response.status == .created)
                #expect(response.headers[.location] == "/api/v1/tools/echo@1.0.0")
                #expect(response.headers[.eTag] == "\"1\"")
            }
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(definition)) {
                #expect($0.status == .conflict)
            }
            try await client.execute(uri: "/api/v1/tools?q=ech&limit=10", method: .get, headers: headers(fixture.admin)) { response in
                #expect(response.status == .ok)
                let page = try object(response)
                #expect((page["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["echo"])
                #expect(page["next_cursor"] is NSNull)
            }
            let update =
                #"{"name":"echo","description":"changed","input_schema":{"type":"object","required":["q"]},"executor":{"kind":"command","argv":["/bin/cat"]}}"#
            try await client.execute(
                uri: "/api/v1/tools/echo", method: .put, headers: headers(fixture.admin, "application/json", ["If-Match": "\"7\""]), body: body(update)
            ) {
                #expect($0.status == .preconditionFailed)
            }
            try await client.execute(
                uri: "/api/v1/tools/echo", method: .put, headers: headers(fixture.admin, "application/json", ["If-Match": "\"1\""]), body: body(update)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == "\"2\"")
            }
            // Execute: the record whatever the outcome; 422 when the input is rejected.
            try await client.execute(uri: "/api/v1/tools/echo/execute", method: .post, headers: headers(fixture.admin), body: body(#"{"q":"hi"}"#)) {
                response in
                #expect(response.status == .ok)
                let record = try object(response)
                #expect(record["status"] as? String == "succeeded")
                #expect((record["output"] as? [String: Any])?["q"] as? String == "hi")
            }
            try await client.execute(uri: "/api/v1/tools/echo/execute", method: .post, headers: headers(fixture.admin), body: body("{}")) { response in
                #expect(response.status == .unprocessableContent)
                #expect((fields(response)["detail"] as? String)?.contains("missing required property \"q\"") == true)
            }
            try await client.execute(uri: "/api/v1/tools/echo/history?status=succeeded", method: .get, headers: headers(fixture.admin)) { response in
                #expect((fields(response)["items"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/api/v1/tools/echo/stats", method: .get, headers: headers(fixture.admin)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/tools/echo/stats/series?bucket=1h&since=2h", method: .get, headers: headers(fixture.admin)) {
                response in
                #expect(response.status == .ok)
                let buckets = try #require(fields(response)["buckets"] as? [[String: Any]])
                #expect(buckets.count >= 2 && buckets.count <= 3)
                #expect(buckets.map { $0["succeeded"] as? Int ?? 0 }.reduce(0, +) == 1)
            }
            for bad in ["bucket=0m", "bucket=1x", "since=1h&until=2h", "until=nonsense"] {
                try await client.execute(uri: "/api/v1/tools/echo/stats/series?\(bad)", method: .get, headers: headers(fixture.admin)) {
                    #expect($0.status == .unprocessableContent, "\(bad)")
                }
            }
            // Transport-level problems.
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin, "text/plain"), body: body(definition)) {
                #expect($0.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body("{oops")) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(
                uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(String(repeating: " ", count: 5000) + "{}")
            ) {
                #expect($0.status == .contentTooLarge)
            }
            try await client.execute(uri: "/api/v1/tools?limit=-1", method: .get, headers: headers(fixture.admin)) {
                #expect($0.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/tools?limit=abc", method: .get, headers: headers(fixture.admin)) {
                #expect($0.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/tools/..%2F..%2Fetc", method: .get, headers: headers(fixture.admin)) {
                #expect($0.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/tools/echo", method: .delete, headers: headers(fixture.admin)) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/api/v1/tools/echo", method: .get, headers: headers(fixture.admin)) { #expect($0.status == .notFound) }
        }
    }

    @Test(arguments: [
        ("q=deploy+failed", [("q", "deploy failed")]),
        ("q=a%2Bb&q=c%20d", [("q", "a+b"), ("q", "c d")]),
        ("tag=x&flag&empty=&=v", [("tag", "x"), ("flag", ""), ("empty", ""), ("", "v")]),
        ("q=100%&x=%zz", [("q", "100%"), ("x", "%zz")]),
        ("a=b=c&&sp%61ce=%E2%9C%93", [("a", "b=c"), ("space", "\u{2713}")]),
    ])
    func queryStringsDecodeLikeHTMLForms(raw: String, expected: [(String, String)]) {
        let decoded = Query.decode(raw)
        #expect(decoded.map(\.name) == expected.map(\.0))
        #expect(decoded.map(\.value) == expected.map(\.1))
    }

    @Test func aPlusInTheQueryIsASpaceAndAnEscapedPlusIsAPlus() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let definition =
                #"{"name":"fixer","description":"retry when deploy failed","input_schema":{"type":"object"},"executor":{"kind":"command","argv":["/bin/cat"]}}"#
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(definition)) {
                #expect($0.status == .created)
            }
            for (query, names) in [("deploy+failed", ["fixer"]), ("deploy%20failed", ["fixer"]), ("deploy%2Bfailed", [])] {
                try await client.execute(uri: "/api/v1/tools?q=\(query)", method: .get, headers: headers(fixture.admin)) { response in
                    let items = try object(response)["items"] as? [[String: Any]]
                    #expect(items?.map { $0["name"] as? String } == names, "q=\(query)")
                }
            }
        }
    }

    @Test func membersGet404ForUnreadableAnd403ForUnexecutableTools() async throws {
        let fixture = try await Fixture()
        let root = Principal.localOperator(user: "tester")
        var definition = ToolDefinition(name: "t", description: "d")
        definition.executor = .command(CommandEndpoint(argv: ["/bin/echo", "{}"]))
        _ = try await fixture.database.tools.register([definition], as: root)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tools/t", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .notFound) }
            _ = try await fixture.database.permissions.grant("t", to: .principal("planner"), level: .read, as: root)
            try await client.execute(uri: "/api/v1/tools/t", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/tools/t/execute", method: .post, headers: headers(fixture.agent), body: body("{}")) { response in
                #expect(response.status == .forbidden)
                #expect(fields(response)["code"] as? String == "permission_denied")
            }
            try await client.execute(uri: "/api/v1/principals", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .forbidden) }
        }
    }

    /// Also run as `dryad serve` runs it (read cache, batched audits): the answers must not differ.
    @Test(arguments: [false, true]) func memoryRoutesWithMergePatchAndConflicts(cached: Bool) async throws {
        let fixture = try await Fixture(cached: cached)
        try await fixture.app().test(.router) { client in
            var id = ""
            try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent),
                body: body(#"{"agent_id":"planner","context_type":"task","data":{"goal":"ship","style":{"lang":"en"}},"tags":["q3"]}"#)
            ) { response in
                #expect(response.status == .created)
                id = try #require(fields(response)["id"] as? String)
            }
            try await client.execute(
                uri: "/api/v1/memory/context/\(id)", method: .patch, headers: headers(fixture.agent, "application/merge-patch+json", ["If-Match": "\"1\""]),
                body: body(#"{"style":{"tone":"dry"}}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == "\"2\"")
            }
            try await client.execute(uri: "/api/v1/memory/context/\(id)", method: .patch, headers: headers(fixture.agent, "application/json"), body: body("{}"))
            {
                #expect($0.status == .unsupportedMediaType)
            }
            try await client.execute(
                uri: "/api/v1/memory/context/\(id)", method: .put, headers: headers(fixture.agent, "application/json", ["If-Match": "\"1\""]),
                body: body(#"{"data":{"goal":"stop"}}"#)
            ) { #expect($0.status == .preconditionFailed) }
            try await client.execute(
                uri: "/api/v1/memory/context/\(id)?on_conflict=merge", method: .put,
                headers: headers(fixture.agent, "application/json", ["If-Match": "\"1\""]),
                body: body(#"{"data":{"goal":"ship","style":{"lang":"en"},"extra":true}}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(fields(response)["merged"] as? Bool == true)
            }
            try await client.execute(uri: "/api/v1/memory/search?q=dry", method: .get, headers: headers(fixture.agent)) { response in
                #expect((fields(response)["items"] as? [[String: Any]])?.first?["id"] as? String == id)
            }
            try await client.execute(uri: "/api/v1/memory/search?q=%22open", method: .get, headers: headers(fixture.agent)) {
                #expect($0.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/memory/context/\(id)?resolved=true&explain=true", method: .get, headers: headers(fixture.agent)) {
                response in
                #expect((fields(response)["provenance"] as? [Any])?.isEmpty == false)
            }
            try await client.execute(
                uri: "/api/v1/memory/context/\(id)/shares", method: .post, headers: headers(fixture.agent), body: body(#"{"agent_id":"critic"}"#)
            ) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/v1/memory/context/\(id)/history", method: .get, headers: headers(fixture.agent)) { response in
                #expect((fields(response)["items"] as? [Any])?.count == 3)
            }
            try await client.execute(uri: "/api/v1/memory/context/\(id)", method: .get, headers: headers(fixture.admin)) { #expect($0.status == .ok) }
        }
    }

    /// Advice names options as this interface spells them: query parameters, not CLI flags.
    @Test func adviceNamesQueryParametersNotFlags() async throws {
        let fixture = try await Fixture()
        let root = Principal.localOperator(user: "tester")
        let parent = try await fixture.database.memory.store(MemoryDraft(agentID: "planner"), as: root)
        _ = try await fixture.database.memory.store(MemoryDraft(agentID: "planner", parentID: parent.id), as: root)
        _ = try await fixture.database.tools.register([ToolDefinition(name: "t", description: "d")], as: root)
        _ = try await fixture.database.tools.register([ToolDefinition(name: "t", version: "2.0.0", description: "d")], as: root)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/memory/context/\(parent.id)", method: .delete, headers: headers(fixture.admin)) { response in
                #expect(response.status == .conflict)
                #expect(fields(response)["detail"] as? String == "context \(parent.id) has 1 child context: pass recursive=true to delete them too")
            }
            try await client.execute(uri: "/api/v1/tools/t", method: .delete, headers: headers(fixture.admin)) { response in
                #expect(response.status == .conflict)
                #expect(fields(response)["detail"] as? String == "tool t has 2 versions: name one as t@VERSION or pass all_versions=true")
            }
        }
    }

    @Test func rateLimitsAnswer429WithRetryAfterAndAreAudited() async throws {
        let fixture = try await Fixture()
        // One token per 100 s: however slow the machine, the third request finds the bucket empty.
        let configuration = ServerConfiguration(defaultLimit: RateLimit(rate: 0.01, burst: 2))
        try await fixture.app(configuration).test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(fixture.agent)) { response in
                #expect(response.status == .tooManyRequests)
                // A full token is at most 100 s away, less by however long the test took.
                let wait = Int(response.headers[.retryAfter] ?? "") ?? 0
                #expect((1...100).contains(wait), "Retry-After: \(wait)")
            }
        }
        let denials = try await fixture.database.audit.list(AuditQuery(decision: "deny"), as: Principal.localOperator(user: "t")).items
        #expect(denials.contains { $0.reason == "rate_limited" && $0.principal == "planner" })
    }

    /// A vanishing rate is refused; one already stored (older versions took any positive rate)
    /// answers 429 with a day's Retry-After instead of trapping on 1/rate seconds.
    @Test func tinyRatesAreRefusedAndStoredOnesDoNotCrash() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            for rate in ["1e-20", "5e-324", "0.0009"] {
                try await client.execute(
                    uri: "/api/v1/principals/planner/limit", method: .put, headers: headers(fixture.admin), body: body(#"{"rate":\#(rate),"burst":1}"#)
                ) { response in
                    #expect(response.status == .unprocessableContent, "\(rate)")
                }
            }
        }
        try await DatabaseQueue(path: fixture.folder + "/d.db").write { db in
            try db.execute(sql: "UPDATE principal SET rate = 5e-324, burst = 1 WHERE name = 'planner'")
        }
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(fixture.agent)) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "86400")
            }
        }
        #expect(RateLimiter.retryAfter(.infinity) == 86_400 && RateLimiter.retryAfter(0.2) == 1 && RateLimiter.retryAfter(1.5) == 2)
    }

    /// `"data": null` means absent like every other field (an empty object on create, kept on
    /// replace), and an empty If-Match is no precondition.
    @Test func nullDataAndAnEmptyIfMatchMeanAbsent() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let id = try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent), body: body(#"{"agent_id":"planner","data":null}"#)
            ) { response in
                #expect(response.status == .created)
                #expect((fields(response)["data"] as? [String: Any])?.isEmpty == true)
                return fields(response)["id"] as? String ?? ""
            }
            try await client.execute(
                uri: "/api/v1/memory/context/\(id)", method: .put, headers: headers(fixture.agent), body: body(#"{"data":{"k":1}}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/api/v1/memory/context/\(id)", method: .put, headers: headers(fixture.agent, "application/json", ["If-Match": ""]),
                body: body(#"{"data":null,"tags":["kept"]}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect((fields(response)["data"] as? [String: Any])?["k"] as? Int == 1)
                #expect(fields(response)["tags"] as? [String] == ["kept"])
            }
        }
    }

    @Test func requestIDsAreEchoedAndAudited() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(fixture.admin, nil, ["X-Request-Id": "trace-42"])) { response in
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] == "trace-42")
            }
        }
        let entries = try await fixture.database.audit.list(AuditQuery(action: "tools.list"), as: Principal.localOperator(user: "t")).items
        #expect(entries.last?.requestID == "trace-42")
    }

    @Test func theOpenAPIDocumentNamesExactlyTheRegisteredRoutes() async throws {
        let fixture = try await Fixture()
        let registered = Set(apiRoutes(database: fixture.database).map { "\($0.method.lowercased()) \($0.path)" })
        try await fixture.app().test(.router) { client in
            let text = try await client.execute(uri: "/api/v1/openapi.json", method: .get) { String(buffer: $0.body) }
            let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            var documented: Set<String> = []
            for (path, item) in try #require(document["paths"] as? [String: [String: Any]]) {
                for method in item.keys { documented.insert("\(method) \(path)") }
            }
            #expect(documented == registered)
            // If-Match is offered exactly where a route honours it.
            var conditional: Set<String> = []
            for (path, item) in try #require(document["paths"] as? [String: [String: [String: Any]]]) {
                for (method, operation) in item {
                    let parameters = operation["parameters"] as? [[String: Any]] ?? []
                    if parameters.contains(where: { $0["name"] as? String == "If-Match" }) { conditional.insert("\(method) \(path)") }
                }
            }
            #expect(
                conditional == [
                    "put /api/v1/tools/{ref}", "delete /api/v1/tools/{ref}", "put /api/v1/memory/context/{id}", "patch /api/v1/memory/context/{id}",
                    "delete /api/v1/memory/context/{id}",
                ])
            // Every documented route answers with something other than the router's "no such route".
            for entry in documented {
                let parts = entry.split(separator: " ")
                let path = parts[1].replacingOccurrences(of: "{", with: "x").replacingOccurrences(of: "}", with: "")
                try await client.execute(uri: path, method: HTTPRequest.Method(rawValue: parts[0].uppercased())!, headers: headers(fixture.admin)) { response in
                    #expect(fields(response)["code"] as? String != "no_route", "\(entry)")
                }
            }
        }
    }
}

@Suite struct BatchedAuditTests {
    @Test func theReadCacheAnswersRepeatedReadsUntilAWriteAndCountsInMetrics() async throws {
        let fixture = try await Fixture(cached: true)
        try await fixture.app().test(.router) { client in
            var id = ""
            try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent),
                body: body(#"{"agent_id":"planner","data":{"goal":"ship"}}"#)
            ) { id = try #require(fields($0)["id"] as? String) }
            for _ in 0..<2 {
                try await client.execute(uri: "/api/v1/memory/context/\(id)?resolved=true", method: .get, headers: headers(fixture.agent)) { response in
                    #expect(response.headers[.eTag]?.hasPrefix("\"1-") == true)
                    #expect((fields(response)["data"] as? [String: Any])?["goal"] as? String == "ship")
                }
            }
            try await client.execute(
                uri: "/api/v1/memory/context/\(id)", method: .patch, headers: headers(fixture.agent, "application/merge-patch+json"),
                body: body(#"{"goal":"wait"}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/memory/context/\(id)?resolved=true", method: .get, headers: headers(fixture.agent)) { response in
                #expect(response.headers[.eTag]?.hasPrefix("\"2-") == true)
                #expect((fields(response)["data"] as? [String: Any])?["goal"] as? String == "wait")
            }
            try await client.execute(uri: "/metrics", method: .get, headers: headers(fixture.admin)) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"dryad_read_cache_lookups_total{result="hit"} 1"#))
                #expect(text.contains(#"dryad_read_cache_lookups_total{result="miss"} 2"#))
            }
        }
    }

    @Test func batchedReadAuditsLandInTheChain() async throws {
        let folder = try TemporaryFolder(prefix: "dryad-server-batch")
        let database = try DryadDatabase(path: folder.path + "/d.db", readAudit: .batched(interval: .milliseconds(20)))
        await database.startAuditBatching()
        let root = Principal.localOperator(user: "tester")
        _ = try await database.tools.register([ToolDefinition(name: "t", description: "d")], as: root)
        for _ in 0..<5 { _ = try await database.tools.get(.nameOrID("t"), as: root) }
        await database.flushAudit()
        let plain = try DryadDatabase(path: folder.path + "/d.db")
        let reads = try await plain.audit.list(AuditQuery(action: "tools.get"), as: root).items
        #expect(reads.count == 5)
        #expect(try await plain.audit.verify(as: root).ok)
    }
}

/// The document's body schemas match what the server really sends (checked with dryad's own validator).
@Suite struct OpenAPIBodyTests {
    /// Every body a route names is in the components, and OpenAPIKit's validator passes the
    /// document built from the route table without a warning.
    @Test func everyRoutesBodiesAreInTheComponentsAndTheDocumentValidates() async throws {
        let fixture = try await Fixture()
        let routes = buildRouter(database: fixture.database, configuration: ServerConfiguration(), upstream: nil).1.specs
        let names = Set(OpenAPISchemas.components.keys)
        for route in routes {
            for name in [route.body?.schema, route.response].compactMap({ $0 }) {
                #expect(names.contains(name), "\(route.method) \(route.path): \(name)")
            }
        }
        let warnings = try OpenAPIDocument.build(routes: routes).validate()
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test func realResponsesMatchTheirSchemas() async throws {
        let fixture = try await Fixture()
        let root = Principal.localOperator(user: "tester")
        var definition = ToolDefinition(name: "echo", description: "d")
        definition.executor = .command(CommandEndpoint(argv: ["/bin/cat"]))
        _ = try await fixture.database.tools.register([definition], as: root)
        _ = try await fixture.database.permissions.grant("echo", to: .type(.agent), level: .execute, as: root)
        let document: JSONValue = .object(["components": .object(["schemas": .object(OpenAPISchemas.components)])])

        @Sendable func check(_ response: TestResponse, _ schema: String) throws {
            var wrapper = document.objectValue ?? [:]
            wrapper["$ref"] = .string("#/components/schemas/\(schema)")
            let validator = try JSONSchema(.object(wrapper))
            let value = try JSONValue.parse(Data(response.body.readableBytesView))
            let violations = try validator.validate(value)
            #expect(violations.isEmpty, "\(schema): \(violations)")
        }

        try await fixture.app().test(.router) { client in
            let cases: [(String, HTTPRequest.Method, String?, String)] = [
                ("/api/v1/tools", .get, nil, "ToolPage"),
                ("/api/v1/tools/echo", .get, nil, "Tool"),
                ("/api/v1/tools/echo/execute", .post, #"{"x":1}"#, "Execution"),
                ("/api/v1/tools/echo/history", .get, nil, "ExecutionPage"),
                ("/api/v1/tools/echo/stats", .get, nil, "ToolStatsPage"),
                ("/api/v1/tools/echo/stats/series?bucket=15m&since=2h", .get, nil, "StatsSeries"),
                ("/api/v1/sessions", .post, #"{"label":"l"}"#, "Session"),
                ("/api/v1/sessions", .get, nil, "SessionPage"),
                ("/api/v1/memory/context", .post, #"{"agent_id":"planner","data":{"a":"b"}}"#, "MemoryContext"),
                ("/api/v1/memory/context", .get, nil, "MemoryContextPage"),
                ("/api/v1/memory/search?q=b", .get, nil, "MemoryContextPage"),
                ("/api/v1/principals", .get, nil, "PrincipalPage"),
                ("/api/v1/permissions", .get, nil, "GrantPage"),
                ("/api/v1/permissions/check?tool=echo&principal=planner&level=read", .get, nil, "Decision"),
                ("/api/v1/tokens", .get, nil, "TokenPage"),
                ("/api/v1/audit?limit=5", .get, nil, "AuditPage"),
                ("/api/v1/audit/verify", .get, nil, "AuditVerification"),
                ("/api/v1/status", .get, nil, "Status"),
            ]
            for (uri, method, payload, schema) in cases {
                let token = uri.hasPrefix("/api/v1/memory") || uri.contains("execute") ? fixture.agent : fixture.admin
                try await client.execute(uri: uri, method: method, headers: headers(token), body: payload.map(body)) { response in
                    #expect(response.status.code < 300, "\(uri): \(response.status)")
                    try check(response, schema)
                }
            }
        }
    }
}

/// Error paths every route shares, driven by the route table itself.
@Suite struct RouteMatrixTests {
    @Test func everyAuthenticatedRouteRefusesMissingAndBadTokens() async throws {
        let fixture = try await Fixture()
        let routes = apiRoutes(database: fixture.database).filter { $0.path.hasPrefix("/api/v1/") && !$0.path.hasSuffix("openapi.json") }
        #expect(routes.count > 40)
        // Every route gets a bad token: lift the per-address limit on failed checks.
        try await fixture.app(ServerConfiguration(tokenFailureLimit: .init(rate: 1, burst: 1000))).test(.router) { client in
            for route in routes {
                let path = route.path.replacingOccurrences(of: "{", with: "x").replacingOccurrences(of: "}", with: "")
                let method = HTTPRequest.Method(rawValue: route.method)!
                for token in [nil, "not.a.token"] {
                    try await client.execute(uri: path, method: method, headers: headers(token), body: body("{}")) { response in
                        #expect(response.status == .unauthorized, "\(route.method) \(route.path) with \(token ?? "no token")")
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    }
                }
            }
        }
    }

    @Test func adminRoutesRefuseMembers() async throws {
        let fixture = try await Fixture()
        let cases: [(HTTPRequest.Method, String, String?)] = [
            (.get, "/api/v1/principals", nil), (.post, "/api/v1/principals", #"{"name":"x","type":"user"}"#),
            (.get, "/api/v1/principals/ops", nil), (.post, "/api/v1/principals/ops/disable", nil), (.delete, "/api/v1/principals/ops", nil),
            (.put, "/api/v1/principals/ops/limit", #"{"rate":1,"burst":1}"#), (.get, "/api/v1/permissions", nil),
            (.get, "/api/v1/permissions/check?tool=t&principal=ops&level=read", nil), (.get, "/api/v1/tokens", nil),
            (.post, "/api/v1/tokens", #"{"principal":"ops"}"#), (.delete, "/api/v1/tokens/x", nil), (.post, "/api/v1/keys/rotate", nil),
            (.get, "/api/v1/audit", nil), (.get, "/api/v1/audit/verify", nil), (.post, "/api/v1/memory/purge", nil),
        ]
        try await fixture.app().test(.router) { client in
            for (method, uri, payload) in cases {
                try await client.execute(uri: uri, method: method, headers: headers(fixture.agent), body: payload.map(body)) { response in
                    #expect(response.status == .forbidden, "\(method) \(uri)")
                    #expect(fields(response)["code"] as? String == "permission_denied")
                }
            }
        }
        // And the admin gets through.
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/principals/ops", method: .get, headers: headers(fixture.admin)) { #expect($0.status == .ok) }
        }
    }
}
