import Crypto
import DryadCore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// Hostile requests: oversized, deeply nested, badly encoded or injected input must end in the
/// documented problem (never a 5xx) and must not leave anything half-written behind.
@Suite struct HostileInputTests {
    static let root = Principal.localOperator(user: "tester")
    static let tool = #"{"name":"echo","description":"d","executor":{"kind":"command","argv":["/bin/cat"]}}"#

    /// Asserts a problem response: exact status, problem+json and the stable code.
    static func expectProblem(
        _ response: TestResponse, _ status: HTTPResponse.Status, _ code: String, _ comment: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, "\(comment): \(response.status) \(String(buffer: response.body).prefix(300))", sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/problem+json", "\(comment)", sourceLocation: sourceLocation)
        #expect(fields(response)["code"] as? String == code, "\(comment)", sourceLocation: sourceLocation)
    }

    /// The values of `key` in the items of a listing, fetched with `token`.
    static func listed(_ client: some TestClientProtocol, _ uri: String, _ token: String, key: String) async throws -> [String] {
        try await client.execute(uri: uri, method: .get, headers: headers(token)) { response in
            #expect(response.status == .ok, "\(uri)")
            return (fields(response)["items"] as? [[String: Any]] ?? []).compactMap { $0[key] as? String }
        }
    }

    /// A query-string value with everything but letters and digits percent-encoded.
    static func encoded(_ text: String) throws -> String {
        try #require(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
    }

    /// base64url without padding, as JWTs and cursors use it.
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of a base64url part of a JWT.
    static func decodeBase64URL(_ text: Substring) throws -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return try #require(Data(base64Encoded: base64))
    }

    // MARK: - 1. Size

    /// A 10 MB body is refused with 413 before it is parsed (default maxBody is 1 MiB), and nothing is stored.
    @Test func tenMegabyteBodiesAre413AndStoreNothing() async throws {
        #expect(ServerConfiguration().maxBody == 1024 * 1024)
        let fixture = try await Fixture()
        let blob = String(repeating: "x", count: 10 * 1024 * 1024)
        let cases: [(String, String, String)] = [
            ("/api/v1/tools", fixture.admin, #"{"name":"big","description":"\#(blob)"}"#),
            ("/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","data":{"blob":"\#(blob)"}}"#),
        ]
        try await fixture.app().test(.router) { client in
            for (uri, token, payload) in cases {
                try await client.execute(uri: uri, method: .post, headers: headers(token), body: body(payload)) { response in
                    Self.expectProblem(response, .contentTooLarge, "too_large", uri)
                }
            }
            #expect(try await Self.listed(client, "/api/v1/tools", fixture.admin, key: "name") == [])
            #expect(try await Self.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [])
            // Just under the limit is parsed (and then judged on its fields), so the 413 above is about size alone.
            let justUnder = #"{"name":"big","description":"\#(String(repeating: "x", count: 1000))"}"#
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(justUnder)) {
                #expect($0.status == .created)
            }
        }
    }

    // MARK: - 2. Nesting

    /// JSON nested 10,000 deep is a 400 malformed_json on every JSON route (no stack overflow), whether it is the body or inside `data`.
    @Test func deeplyNestedJSONIsMalformedNotACrash() async throws {
        let fixture = try await Fixture()
        let deepArray = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let deepObject = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        let unclosed = String(repeating: "[", count: 10_000)
        try await fixture.app().test(.router) { client in
            var id = ""
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(Self.tool)) {
                #expect($0.status == .created)
            }
            try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent),
                body: body(#"{"agent_id":"planner","data":{"k":"v"}}"#)
            ) { response in
                #expect(response.status == .created)
                id = fields(response)["id"] as? String ?? ""
            }
            let cases: [(HTTPRequest.Method, String, String, String)] = [
                (.post, "/api/v1/tools", "application/json", deepArray),
                (.post, "/api/v1/tools", "application/json", deepObject),
                (.post, "/api/v1/tools", "application/json", unclosed),
                (.post, "/api/v1/memory/context", "application/json", deepArray),
                (.post, "/api/v1/memory/context", "application/json", deepObject),
                (.post, "/api/v1/memory/context", "application/json", #"{"agent_id":"planner","data":\#(deepObject)}"#),
                (.post, "/api/v1/memory/context", "application/json", #"{"agent_id":"planner","data":{"a":\#(deepArray)}}"#),
                (.put, "/api/v1/memory/context/\(id)", "application/json", #"{"data":\#(deepObject)}"#),
                (.patch, "/api/v1/memory/context/\(id)", "application/merge-patch+json", deepObject),
                (.post, "/api/v1/tools/echo/execute", "application/json", deepArray),
            ]
            for (method, uri, type, payload) in cases {
                try await client.execute(uri: uri, method: method, headers: headers(fixture.admin, type), body: body(payload)) { response in
                    Self.expectProblem(response, .badRequest, "malformed_json", "\(method) \(uri) \(payload.prefix(12))")
                }
            }
            #expect(try await Self.listed(client, "/api/v1/tools", fixture.admin, key: "name") == ["echo"])
            #expect(try await Self.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [id])
            #expect(try await Self.listed(client, "/api/v1/tools/echo/history", fixture.admin, key: "id") == [])
            try await client.execute(uri: "/api/v1/memory/context/\(id)", method: .get, headers: headers(fixture.admin)) { response in
                #expect(response.headers[.eTag] == "\"1\"")
            }
            // Nesting within the limit is accepted, so the refusals above are about depth alone.
            let shallow = String(repeating: #"{"a":"#, count: 100) + "1" + String(repeating: "}", count: 100)
            try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent),
                body: body(#"{"agent_id":"planner","data":\#(shallow)}"#)
            ) { #expect($0.status == .created) }
        }
    }

    // MARK: - 3. Encoding

    /// Bytes that are not UTF-8 inside a JSON string are a 400 malformed_json, and nothing is stored.
    @Test func invalidUTF8IsMalformedJSON() async throws {
        let fixture = try await Fixture()
        let sequences: [(String, [UInt8])] = [
            ("lone continuation", [0x80]), ("invalid byte", [0xFF, 0xFE]), ("overlong slash", [0xC0, 0xAF]),
            ("encoded surrogate", [0xED, 0xA0, 0x80]), ("truncated sequence", [0xE2, 0x82]), ("beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
        ]
        try await fixture.app().test(.router) { client in
            for (name, bytes) in sequences {
                let cases: [(String, String, String, String)] = [
                    ("/api/v1/tools", fixture.admin, #"{"name":"echo","description":""#, #""}"#),
                    ("/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","data":{"k":""#, #""}}"#),
                    ("/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","data":{""#, #"":1}}"#),
                ]
                for (uri, token, before, after) in cases {
                    let payload = ByteBuffer(bytes: Array(before.utf8) + bytes + Array(after.utf8))
                    try await client.execute(uri: uri, method: .post, headers: headers(token), body: payload) { response in
                        Self.expectProblem(response, .badRequest, "malformed_json", "\(uri) \(name)")
                    }
                }
            }
            #expect(try await Self.listed(client, "/api/v1/tools", fixture.admin, key: "name") == [])
            #expect(try await Self.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [])
            // The same bodies with valid UTF-8 (é) are accepted.
            let valid = ByteBuffer(bytes: Array(#"{"agent_id":"planner","data":{"k":""#.utf8) + [0xC3, 0xA9] + Array(#""}}"#.utf8))
            try await client.execute(uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent), body: valid) {
                #expect($0.status == .created)
            }
        }
    }

    // MARK: - 4. Control characters in names

    /// NUL and control characters in tool names, principal names, agent ids, types, keys and tags are 422 invalid_input, and nothing is stored.
    @Test func controlCharactersInNamesAreInvalidInput() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let id = try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent),
                body: body(#"{"agent_id":"planner","data":{"k":"v"}}"#)
            ) { fields($0)["id"] as? String ?? "" }
            var cases: [(String, String, String)] = []
            for bad in [#"\u0000"#, #"\u0001"#, #"\u001b[31m"#, #"\n"#, #"\r\n"#, #"\t"#, #"\u007f"#, #"\u0085"#, #"\u200b"#] {
                cases += [
                    ("/api/v1/tools", fixture.admin, #"{"name":"echo\#(bad)","description":"d"}"#),
                    ("/api/v1/tools", fixture.admin, #"{"name":"echo","description":"d","tags":["ok","t\#(bad)"]}"#),
                    ("/api/v1/principals", fixture.admin, #"{"name":"bob\#(bad)","type":"user"}"#),
                    ("/api/v1/memory/context", fixture.admin, #"{"agent_id":"planner\#(bad)","data":{}}"#),
                    ("/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","context_type":"t\#(bad)","data":{}}"#),
                    ("/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","key":"k\#(bad)","data":{}}"#),
                    ("/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","tags":["t\#(bad)"],"data":{}}"#),
                    ("/api/v1/memory/context/\(id)/shares", fixture.agent, #"{"agent_id":"critic\#(bad)"}"#),
                ]
            }
            for (uri, token, payload) in cases {
                try await client.execute(uri: uri, method: .post, headers: headers(token), body: body(payload)) { response in
                    Self.expectProblem(response, .unprocessableContent, "invalid_input", "\(uri) \(payload)")
                    #expect(!String(buffer: response.body).contains("\u{0}"), "the problem does not echo a raw NUL")
                }
            }
            #expect(try await Self.listed(client, "/api/v1/tools", fixture.admin, key: "name") == [])
            #expect(try await Self.listed(client, "/api/v1/principals", fixture.admin, key: "name").sorted() == ["ops", "planner"])
            #expect(try await Self.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [id])
            try await client.execute(uri: "/api/v1/memory/context/\(id)", method: .get, headers: headers(fixture.agent)) { response in
                #expect((fields(response)["shared_with"] as? [Any])?.isEmpty == true)
            }
        }
    }

    // MARK: - 5. Search syntax

    /// SQL and FTS5 syntax in `q` is searched for as words (200) or refused as unparseable (422), never a 500; the table survives.
    @Test func searchTreatsSQLAndFTSSyntaxAsText() async throws {
        let fixture = try await Fixture()
        let cases: [(String, HTTPResponse.Status)] = [
            ("'; DROP TABLE memory_context; --", .ok), ("\" OR 1=1", .unprocessableContent), ("x\" OR \"1\"=\"1", .ok),
            ("NEAR(a b)", .ok), ("NEAR(ship tables, 2)", .ok), ("*", .unprocessableContent), ("a*", .ok), ("a AND OR NOT", .ok),
            ("AND", .ok), ("col:value", .ok), ("data:ship", .ok), ("^", .unprocessableContent), ("^ship", .ok), ("\"unbalanced", .unprocessableContent),
            ("unbalanced\"", .unprocessableContent), ("\"\"", .unprocessableContent), ("\"\"\"", .unprocessableContent), ("(((", .unprocessableContent),
            ("ship)", .ok), ("{a b}", .ok), ("a\u{0}b", .unprocessableContent), ("-ship", .ok), ("+ship", .ok), ("\\", .unprocessableContent),
            ("1; SELECT * FROM signing_key", .ok), ("ship UNION SELECT secret FROM signing_key", .ok),
            // Long queries are refused up front: FTS5's cost grows with terms times matching rows (minutes at 10,000 terms).
            (String(repeating: "a", count: 1024), .ok), (String(repeating: "a", count: 1025), .unprocessableContent),
            (String(repeating: "ship ", count: 32), .ok), (String(repeating: "ship ", count: 33), .unprocessableContent),
            (String(repeating: "a", count: 100_000), .unprocessableContent), (String(repeating: "ship ", count: 20_000), .unprocessableContent),
            (String(repeating: "\"a\" ", count: 25_000), .unprocessableContent), (String(repeating: "(", count: 100_000), .unprocessableContent),
        ]
        try await fixture.app().test(.router) { client in
            let id = try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent),
                body: body(#"{"agent_id":"planner","data":{"goal":"ship the tables"}}"#)
            ) { fields($0)["id"] as? String ?? "" }
            for (query, status) in cases {
                let label = String(query.prefix(40))
                try await client.execute(uri: "/api/v1/memory/search?q=\(try Self.encoded(query))", method: .get, headers: headers(fixture.agent)) { response in
                    if status == .ok {
                        #expect(response.status == .ok, "\(label): \(response.status) \(String(buffer: response.body).prefix(200))")
                        #expect(fields(response)["items"] is [Any], "\(label)")
                    } else {
                        Self.expectProblem(response, status, "invalid_input", label)
                    }
                }
            }
            // The table and its index are intact: the context is still found, listed and readable.
            #expect(try await Self.listed(client, "/api/v1/memory/search?q=ship", fixture.agent, key: "id") == [id])
            #expect(try await Self.listed(client, "/api/v1/memory/search?q=\(try Self.encoded("\"ship the\""))", fixture.agent, key: "id") == [id])
            #expect(try await Self.listed(client, "/api/v1/memory/context", fixture.agent, key: "id") == [id])
        }
    }

    // MARK: - Typed fields

    /// Body fields of the wrong type are 422 invalid_input instead of being silently dropped or defaulted; null still means absent.
    @Test func wrongTypedBodyFieldsAreInvalidInput() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let id = try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent),
                body: body(#"{"agent_id":"planner","data":{"k":"v"}}"#)
            ) { fields($0)["id"] as? String ?? "" }
            let refused: [(HTTPRequest.Method, String, String, String)] = [
                (.post, "/api/v1/sessions", fixture.agent, #"{"label":{}}"#),
                (.post, "/api/v1/sessions", fixture.agent, #"{"label":7}"#),
                (.post, "/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","tags":"q3"}"#),
                (.post, "/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","tags":["q3",1]}"#),
                (.post, "/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","ttl_seconds":"1h"}"#),
                (.post, "/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","parent_id":5}"#),
                (.post, "/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","context_type":["task"]}"#),
                (.post, "/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","key":true}"#),
                (.put, "/api/v1/memory/context/\(id)", fixture.agent, #"{"tags":{"a":"b"}}"#),
                (.post, "/api/v1/memory/context/\(id)/shares", fixture.agent, #"{"agent_id":"critic","access":1}"#),
                (.post, "/api/v1/errors", fixture.agent, #"{"type":"T","message":"m","stack_trace":["x"]}"#),
                (.post, "/api/v1/errors", fixture.agent, #"{"type":"T","message":"m","context_id":1}"#),
                (.post, "/api/v1/principals", fixture.admin, #"{"name":"bob","type":"user","role":1}"#),
                (.post, "/api/v1/tokens", fixture.admin, #"{"principal":"planner","ttl_seconds":"1h"}"#),
                (.post, "/api/v1/permissions", fixture.admin, #"{"tool":"t","level":"read","principal":["planner"]}"#),
            ]
            for (method, uri, token, payload) in refused {
                try await client.execute(uri: uri, method: method, headers: headers(token), body: body(payload)) { response in
                    Self.expectProblem(response, .unprocessableContent, "invalid_input", "\(method) \(uri) \(payload)")
                }
            }
            #expect(try await Self.listed(client, "/api/v1/sessions", fixture.admin, key: "id") == [])
            #expect(try await Self.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [id])
            #expect(try await Self.listed(client, "/api/v1/principals", fixture.admin, key: "name").sorted() == ["ops", "planner"])
            #expect(try await Self.listed(client, "/api/v1/errors", fixture.admin, key: "id") == [])
            // A query flag is checked even when the flag it qualifies is off.
            try await client.execute(uri: "/api/v1/memory/context/\(id)?explain=maybe", method: .get, headers: headers(fixture.agent)) { response in
                Self.expectProblem(response, .unprocessableContent, "invalid_input", "explain=maybe")
            }
            // Null is still "absent", as before.
            try await client.execute(uri: "/api/v1/sessions", method: .post, headers: headers(fixture.agent), body: body(#"{"label":null}"#)) {
                #expect($0.status == .created)
            }
            try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent),
                body: body(#"{"agent_id":"planner","tags":null,"ttl_seconds":null,"parent_id":null,"key":null}"#)
            ) {
                #expect($0.status == .created)
            }
        }
    }

    /// A burst too large for an Int (or fractional) is a 422, not a trap that takes the whole server down.
    @Test func unrepresentableRateLimitsAreInvalidInput() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"{"rate":1,"burst":1e20}"#, .unprocessableContent, "invalid_input"), (#"{"rate":1,"burst":-1e300}"#, .unprocessableContent, "invalid_input"),
                (#"{"rate":1,"burst":9223372036854775808}"#, .unprocessableContent, "invalid_input"),
                (#"{"rate":1,"burst":1.5}"#, .unprocessableContent, "invalid_input"), (#"{"rate":1,"burst":"5"}"#, .unprocessableContent, "invalid_input"),
                (#"{"rate":"1","burst":5}"#, .unprocessableContent, "invalid_input"), (#"{"rate":1e400,"burst":5}"#, .badRequest, "malformed_json"),
            ]
            for (payload, status, code) in cases {
                try await client.execute(uri: "/api/v1/principals/planner/limit", method: .put, headers: headers(fixture.admin), body: body(payload)) {
                    response in
                    Self.expectProblem(response, status, code, payload)
                }
            }
            try await client.execute(uri: "/api/v1/principals/planner", method: .get, headers: headers(fixture.admin)) { response in
                #expect(fields(response)["burst"] is NSNull)
            }
            try await client.execute(
                uri: "/api/v1/principals/planner/limit", method: .put, headers: headers(fixture.admin),
                body: body(#"{"rate":2,"burst":5.0}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(fields(response)["burst"] as? Int == 5)
            }
        }
    }

    /// Each operation answers success with the status its OpenAPI operation documents (POST keys/rotate was documented 201, answered 200).
    @Test func successStatusesMatchTheDocument() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let text = try await client.execute(uri: "/api/v1/openapi.json", method: .get) { String(buffer: $0.body) }
            let paths = try #require((try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["paths"] as? [String: [String: Any]])
            let cases: [(HTTPRequest.Method, String, String, String?)] = [
                (.post, "/api/v1/keys/rotate", "/api/v1/keys/rotate", nil),
                (.post, "/api/v1/sessions", "/api/v1/sessions", #"{"label":"l"}"#),
                (.post, "/api/v1/principals", "/api/v1/principals", #"{"name":"bob","type":"user"}"#),
                (.put, "/api/v1/principals/{name}/limit", "/api/v1/principals/bob/limit", #"{"rate":1,"burst":2}"#),
                (.post, "/api/v1/principals/{name}/disable", "/api/v1/principals/bob/disable", nil),
                (.post, "/api/v1/memory/purge", "/api/v1/memory/purge", nil),
                (.post, "/api/v1/tools", "/api/v1/tools", Self.tool),
                (.delete, "/api/v1/tools/{ref}", "/api/v1/tools/echo", nil),
            ]
            for (method, path, uri, payload) in cases {
                let responses = try #require((paths[path]?[method.rawValue.lowercased()] as? [String: Any])?["responses"] as? [String: Any], "\(path)")
                let documented = responses.keys.filter { $0.hasPrefix("2") }
                try await client.execute(uri: uri, method: method, headers: headers(fixture.admin), body: payload.map(body)) { response in
                    #expect(documented == [String(response.status.code)], "\(method) \(path): documented \(documented), answered \(response.status)")
                }
            }
        }
    }

    // MARK: - 6. Path parameters

    /// Traversal, NUL and 10 KB path parameters are 404 or 422, never a 5xx, and never reach another resource.
    @Test func oddPathParametersAre404Or422() async throws {
        let fixture = try await Fixture()
        let long = String(repeating: "a", count: 10 * 1024)
        let cases: [(HTTPRequest.Method, String, HTTPResponse.Status, String)] = [
            (.get, "/api/v1/tools/..%2F..%2Fetc%2Fpasswd", .unprocessableContent, "invalid_input"),
            (.get, "/api/v1/tools/%00", .unprocessableContent, "invalid_input"),
            (.get, "/api/v1/tools/echo%00", .unprocessableContent, "invalid_input"),
            (.get, "/api/v1/tools/%2e%2e", .unprocessableContent, "invalid_input"),
            (.get, "/api/v1/tools/echo@..%2F1.0.0", .unprocessableContent, "invalid_input"),
            (.get, "/api/v1/tools/\(long)", .unprocessableContent, "invalid_input"),
            (.delete, "/api/v1/tools/..%2Fecho", .unprocessableContent, "invalid_input"),
            (.get, "/api/v1/tools/../../etc/passwd", .notFound, "no_route"),
            (.get, "/api/v1/memory/context/../../x", .notFound, "no_route"),
            (.get, "/api/v1/memory/context/..%2F..%2Fx", .notFound, "not_found"),
            (.get, "/api/v1/memory/context/%00", .notFound, "not_found"),
            (.get, "/api/v1/memory/context/\(long)", .notFound, "not_found"),
            (.delete, "/api/v1/memory/context/\(long)", .notFound, "not_found"),
            (.get, "/api/v1/memory/context/%27%20OR%201%3D1%20--", .notFound, "not_found"),
            (.get, "/api/v1/executions/\(long)", .notFound, "not_found"),
            (.get, "/api/v1/sessions/\(long)", .notFound, "not_found"),
            (.get, "/api/v1/principals/\(long)", .notFound, "not_found"),
            (.get, "/api/v1/principals/..%2Fops", .notFound, "not_found"),
            (.delete, "/api/v1/tokens/\(long)", .notFound, "not_found"),
        ]
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(Self.tool)) {
                #expect($0.status == .created)
            }
            for (method, uri, status, code) in cases {
                try await client.execute(uri: uri, method: method, headers: headers(fixture.admin)) { response in
                    Self.expectProblem(response, status, code, "\(method) \(uri.prefix(60))")
                }
            }
            #expect(try await Self.listed(client, "/api/v1/tools", fixture.admin, key: "name") == ["echo"])
        }
    }

    /// Path parameters are percent-decoded, as clients generated from the OpenAPI document send
    /// them (`@` as `%40`); a broken escape is 422. Names a URL client would rewrite are refused.
    @Test func encodedPathParametersAreDecoded() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(Self.tool)) {
                #expect($0.status == .created)
            }
            for uri in ["/api/v1/tools/echo%401.0.0", "/api/v1/tools/%65cho", "/api/v1/tools/echo%401.0.0/stats", "/api/v1/principals/pl%61nner"] {
                try await client.execute(uri: uri, method: .get, headers: headers(fixture.admin)) { #expect($0.status == .ok, "\(uri)") }
            }
            try await client.execute(uri: "/api/v1/tools/echo%4", method: .get, headers: headers(fixture.admin)) { response in
                Self.expectProblem(response, .unprocessableContent, "invalid_input", "broken escape")
            }
            let id = try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent), body: body(#"{"agent_id":"planner"}"#)
            ) { fields($0)["id"] as? String ?? "" }
            for agent in [".", ".."] {
                try await client.execute(
                    uri: "/api/v1/memory/context/\(id)/shares", method: .post, headers: headers(fixture.agent), body: body(#"{"agent_id":"\#(agent)"}"#)
                ) { Self.expectProblem($0, .unprocessableContent, "invalid_input", "share with \(agent)") }
                try await client.execute(
                    uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.admin), body: body(#"{"agent_id":"\#(agent)"}"#)
                ) { Self.expectProblem($0, .unprocessableContent, "invalid_input", "store for \(agent)") }
            }
            for name in [".", "..", "anonymous", "local:x"] {
                try await client.execute(
                    uri: "/api/v1/principals", method: .post, headers: headers(fixture.admin), body: body(#"{"name":"\#(name)","type":"agent"}"#)
                ) { response in
                    Self.expectProblem(response, .unprocessableContent, "invalid_input", name)
                }
            }
        }
    }

    // MARK: - 7. Headers

    /// An `X-Request-Id` with CR/LF, spaces, non-ASCII or 10 KB is replaced by a generated id, never echoed or audited raw.
    @Test func hostileRequestIDsAreReplaced() async throws {
        let fixture = try await Fixture()
        let hostile = [
            "trace\r\nSet-Cookie: evil=1", "trace\nX-Admin: yes", "a b", "tracé", String(repeating: "r", count: 10 * 1024), String(repeating: "r", count: 129),
        ]
        try await fixture.app().test(.router) { client in
            for value in hostile {
                var fields = headers(fixture.admin, nil)
                fields[HTTPField.Name("X-Request-Id")!] = value
                try await client.execute(uri: "/api/v1/tools", method: .get, headers: fields) { response in
                    #expect(response.status == .ok)
                    let echoed = response.headers[HTTPField.Name("X-Request-Id")!] ?? ""
                    #expect(UUID(uuidString: echoed) != nil && echoed == echoed.lowercased(), "\(value.prefix(30)) -> \(echoed.prefix(30))")
                    #expect(response.headers[.setCookie] == nil)
                }
            }
            // A well-formed id of the maximum length is kept, so the replacements above are about the content.
            let kept = String(repeating: "r", count: 128)
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(fixture.admin, nil, ["X-Request-Id": kept])) { response in
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] == kept)
            }
        }
        let recorded = try await fixture.database.audit.list(AuditQuery(action: "tools.list"), as: Self.root).items.compactMap(\.requestID)
        #expect(recorded.count == hostile.count + 1)
        #expect(recorded.allSatisfy { $0.count <= 128 && !$0.contains("evil") && !$0.contains(" ") })
    }

    /// Malformed, doubled or oversized Authorization headers are 401 permission_denied; the scheme name is case-insensitive (RFC 9110 §11.1).
    @Test func malformedAuthorizationIs401() async throws {
        let fixture = try await Fixture()
        let cases: [(String, HTTPResponse.Status)] = [
            ("Bearer garbage", .unauthorized), ("Bearer \u{7f}\u{1}", .unauthorized), ("Bearer ", .unauthorized), ("Bearer", .unauthorized),
            ("Bearer \(fixture.admin) \(fixture.agent)", .unauthorized), ("Bearer \(fixture.admin),Bearer \(fixture.agent)", .unauthorized),
            ("Bearer \(fixture.admin).x", .unauthorized), ("Basic \(Data("ops:x".utf8).base64EncodedString())", .unauthorized),
            ("Token \(fixture.admin)", .unauthorized), ("bearer garbage", .unauthorized), ("BEARER \(fixture.admin)x", .unauthorized),
            ("Bearer " + String(repeating: "a", count: 100 * 1024), .unauthorized), (String(repeating: "B", count: 100 * 1024), .unauthorized),
            ("bearer \(fixture.admin)", .ok), ("BEARER \(fixture.admin)", .ok),
        ]
        try await fixture.app().test(.router) { client in
            for (value, status) in cases {
                try await client.execute(uri: "/api/v1/tools", method: .get, headers: [.authorization: value]) { response in
                    if status == .ok {
                        #expect(response.status == .ok, "\(value.prefix(30))")
                    } else {
                        Self.expectProblem(response, .unauthorized, "permission_denied", String(value.prefix(30)))
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    }
                }
            }
            // Two Authorization fields, each valid on its own, are one combined (invalid) credential.
            var two = HTTPFields()
            two.append(HTTPField(name: .authorization, value: "Bearer \(fixture.admin)"))
            two.append(HTTPField(name: .authorization, value: "Bearer \(fixture.agent)"))
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: two) { response in
                Self.expectProblem(response, .unauthorized, "permission_denied", "two Authorization fields")
            }
        }
    }

    /// A storage failure is a 500 whose detail names no file (the path goes to the server's log only).
    @Test func storageFailuresDoNotLeakPaths() async throws {
        let fixture = try await Fixture()
        // A trigger that cannot run makes every new tool a storage error (SQLite: no such table).
        try await DatabaseQueue(path: fixture.folder + "/d.db").write { db in
            try db.execute(sql: "CREATE TRIGGER broken BEFORE INSERT ON tool_registry BEGIN INSERT INTO missing VALUES (1); END")
        }
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(Self.tool)) { response in
                Self.expectProblem(response, .internalServerError, "storage_error", "broken trigger")
                let detail = fields(response)["detail"] as? String ?? ""
                #expect(detail == "the server could not read or write its database; its log has the details")
                #expect(!String(buffer: response.body).contains(fixture.folder))
            }
        }
    }

    /// A client that connects and sends nothing is disconnected after the idle timeout.
    @Test func idleConnectionsAreClosed() async throws {
        let fixture = try await Fixture()
        try await fixture.app(ServerConfiguration(port: 0, idleTimeout: .seconds(1))).test(.live) { client in
            let port = try #require(client.port)
            let started = ContinuousClock.now
            let received = try Self.readUntilClosed(port: port, waitingAtMost: 10)
            #expect(received == 0, "the server closed the connection without sending anything")
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    /// A body sent a byte at a time keeps the idle timer fresh; the read deadline still closes the connection.
    @Test func tricklingBodiesAreCutOff() async throws {
        let fixture = try await Fixture()
        let configuration = ServerConfiguration(port: 0, idleTimeout: .seconds(30), requestReadTimeout: .seconds(1))
        try await fixture.app(configuration).test(.live) { client in
            let port = try #require(client.port)
            let head =
                "POST /api/v1/memory/context HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(fixture.agent)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            let started = ContinuousClock.now
            let sent = try Self.trickleUntilClosed(port: port, head: head, every: .milliseconds(100), forAtMost: .seconds(10))
            #expect(ContinuousClock.now - started < .seconds(5), "closed by the 1 s read deadline, not the 30 s idle timeout")
            #expect(sent < 1000, "the body never completed")
            let stored = try await fixture.database.memory.list(MemoryQuery(), as: .localOperator(user: "t")).items
            #expect(stored.isEmpty)
        }
    }

    /// The deadline covers reading the request only: a route that takes longer to answer still answers.
    @Test func slowAnswersAreNotCutOff() async throws {
        let fixture = try await Fixture()
        let configuration = ServerConfiguration(port: 0, requestReadTimeout: .milliseconds(300))
        try await fixture.app(configuration).test(.live) { client in
            let slow = #"{"name":"slow","description":"d","executor":{"kind":"command","argv":["/bin/sleep","1"]}}"#
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(slow)) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/api/v1/tools/slow/execute", method: .post, headers: headers(fixture.admin), body: body("{}")) { response in
                #expect(response.status == .ok)
                #expect(fields(response)["duration_ms"] as? Int ?? 0 >= 1000)
            }
        }
    }

    /// A pipelined request waiting unread behind a slow one is not on the clock: its deadline
    /// starts when it is served, so neither answer is lost.
    @Test func aPipelinedRequestWaitingBehindASlowOneIsNotCutOff() async throws {
        let fixture = try await Fixture()
        // The run (3 s) outlasts the deadline (2 s); reading 900 KB once served takes far less,
        // even on a loaded CI machine.
        let configuration = ServerConfiguration(port: 0, requestReadTimeout: .seconds(2))
        try await fixture.app(configuration).test(.live) { client in
            let slow = #"{"name":"slow","description":"d","executor":{"kind":"command","argv":["/bin/sleep","3"]}}"#
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(slow)) {
                #expect($0.status == .created)
            }
            let port = try #require(client.port)
            let fd = try Self.connectLocally(port: port)
            defer { close(fd) }
            let big = #"{"agent_id":"planner","data":{"pad":""# + String(repeating: "x", count: 900_000) + #""}}"#
            let requests =
                "POST /api/v1/tools/slow/execute HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(fixture.admin)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                + "POST /api/v1/memory/context HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(fixture.agent)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(big.utf8.count)\r\n\r\n" + big
            let sender = Task.detached {
                var bytes = Array(requests.utf8)[...]
                while !bytes.isEmpty {
                    let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    guard sent > 0 else { return }
                    bytes = bytes.dropFirst(sent)
                }
            }
            var received = ""
            let deadline = ContinuousClock.now + .seconds(30)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while received.components(separatedBy: "HTTP/1.1 ").count < 3, ContinuousClock.now < deadline {
                var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&probe, 1, 200) > 0 else { continue }
                let count = read(fd, &buffer, buffer.count)
                guard count > 0 else { break }
                received += String(decoding: buffer.prefix(count), as: UTF8.self)
            }
            await sender.value
            let statuses = received.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["200", "201"], "\(received.prefix(300))")
        }
    }

    /// A limit that leaves no file descriptors for the database is refused before the server starts.
    @Test func connectionLimitsMustLeaveDescriptors() async throws {
        let fixture = try await Fixture()
        for limit in [Int.max / 2, 0] {
            let refusal = #expect(throws: DryadError.self) { try fixture.app(ServerConfiguration(port: 0, maxConnections: limit)) }
            #expect(refusal?.code == "invalid_input")
            #expect(refusal?.localizedDescription.contains("max connections \(limit)") == true)
        }
    }

    /// Sends `head`, then one body byte per `interval` until the server closes; returns the body bytes sent.
    static func trickleUntilClosed(port: Int, head: String, every interval: Duration, forAtMost limit: Duration) throws -> Int {
        let fd = try connectLocally(port: port)
        defer { close(fd) }
        _ = Array(head.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let deadline = ContinuousClock.now + limit
        var sent = 0
        var byte: UInt8 = UInt8(ascii: " ")
        while ContinuousClock.now < deadline {
            var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&probe, 1, Int32(interval / .milliseconds(1))) > 0 {
                var buffer = [UInt8](repeating: 0, count: 512)
                if read(fd, &buffer, buffer.count) <= 0 { return sent }
            }
            guard send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { return sent }
            sent += 1
        }
        throw POSIXError(.ETIMEDOUT)
    }

    /// A blocking TCP socket connected to 127.0.0.1:`port`.
    static func connectLocally(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    /// Connects to 127.0.0.1:`port`, sends nothing and reads until the server closes; returns the bytes read.
    static func readUntilClosed(port: Int, waitingAtMost seconds: Int) throws -> Int {
        let fd = try connectLocally(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count == 0 { return total }
            guard count > 0 else { throw POSIXError(.ETIMEDOUT) }
            total += count
        }
    }

    // MARK: - 8. Paging

    /// Out-of-range, non-integer and forged paging parameters are 422 invalid_input on every listing; valid ones page normally.
    @Test func hostilePagingIsInvalidInput() async throws {
        let fixture = try await Fixture()
        let long = String(repeating: "A", count: 10 * 1024)
        let notACursor = [
            Self.base64URL(Data(#"["x"]"#.utf8)), Self.base64URL(Data(#"[1,2]"#.utf8)), Self.base64URL(Data(#"{"a":"b"}"#.utf8)),
            Self.base64URL(Data((String(repeating: "[", count: 500) + String(repeating: "]", count: 500)).utf8)),
        ]
        let invalid =
            [
                "limit=1000000", "limit=-1", "limit=0", "limit=abc", "limit=1e3", "limit=1.5", "limit=99999999999999999999", "limit=0x10", "limit=+5",
                "limit=%00", "cursor=garbage", "cursor=\(long)", "cursor=%FF%FE",
            ] + notACursor.map { "cursor=\($0)" }
        let valid = ["limit=1000", "limit=1", "limit=", "cursor=", "limit=%2B5", "limit=2&limit=abc"]
        try await fixture.app().test(.router) { client in
            for name in ["a", "b"] {
                try await client.execute(
                    uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin),
                    body: body(#"{"name":"\#(name)","description":"d"}"#)
                ) { #expect($0.status == .created) }
                try await client.execute(
                    uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent),
                    body: body(#"{"agent_id":"planner","data":{"n":"\#(name)"}}"#)
                ) { #expect($0.status == .created) }
            }
            for listing in ["/api/v1/tools", "/api/v1/memory/context", "/api/v1/audit", "/api/v1/memory/search?q=a"] {
                let separator = listing.contains("?") ? "&" : "?"
                for parameter in invalid {
                    try await client.execute(uri: listing + separator + parameter, method: .get, headers: headers(fixture.admin)) { response in
                        Self.expectProblem(response, .unprocessableContent, "invalid_input", "\(listing) \(parameter.prefix(40))")
                    }
                }
                for parameter in valid {
                    try await client.execute(uri: listing + separator + parameter, method: .get, headers: headers(fixture.admin)) { response in
                        #expect(response.status == .ok, "\(listing) \(parameter)")
                    }
                }
            }
            // A real cursor continues the listing, so cursors are honoured and not just ignored.
            for listing in ["/api/v1/tools", "/api/v1/memory/context"] {
                let first = try await client.execute(uri: listing + "?limit=1", method: .get, headers: headers(fixture.admin)) { fields($0) }
                let cursor = try #require(first["next_cursor"] as? String)
                let second = try await Self.listed(
                    client, listing + "?limit=1&cursor=\(cursor)", fixture.admin, key: listing.hasSuffix("tools") ? "name" : "id")
                #expect(second.count == 1)
                #expect(second.first != ((first["items"] as? [[String: Any]])?.first?[listing.hasSuffix("tools") ? "name" : "id"] as? String))
            }
        }
    }

    // MARK: - 9. Tokens

    /// Forged, tampered, expired and disabled-principal tokens are 401 over HTTP, while the genuine token works.
    @Test func forgedTokensAre401() async throws {
        let fixture = try await Fixture()
        _ = try await fixture.database.principals.add("retired", type: .agent, role: .member, as: Self.root)
        let retired = try await fixture.database.tokens.issue(for: "retired", as: Self.root).token
        // A second handle on the same file whose clock is two hours slow issues a genuine, already expired token.
        let slow = try DryadDatabase(path: fixture.folder + "/d.db", clock: { Date().addingTimeInterval(-7200) })
        let expired = try await slow.tokens.issue(for: "planner", ttl: 60, as: Self.root).token

        let parts = fixture.agent.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        let header = try #require(try JSONSerialization.jsonObject(with: try Self.decodeBase64URL(parts[0])) as? [String: Any])
        let claims = try #require(try JSONSerialization.jsonObject(with: try Self.decodeBase64URL(parts[1])) as? [String: Any])
        func encode(_ object: [String: Any]) throws -> String {
            Self.base64URL(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        }
        func sign(_ input: String, key: SymmetricKey) -> String {
            Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)))
        }
        var none = header
        none["alg"] = "none"
        var promoted = claims
        promoted["sub"] = "ops"
        var withRole = claims
        withRole["role"] = "admin"
        var longer = claims
        longer["exp"] = (claims["exp"] as? Double ?? 0) + 86_400 * 365
        let signingInput = parts[0] + "." + parts[1]
        let forgeries: [(String, String)] = [
            ("alg none, no signature", try encode(none) + "." + parts[1] + "."),
            ("alg none, original signature", try encode(none) + "." + parts[1] + "." + parts[2]),
            ("HS256 with a wrong key", signingInput + "." + sign(String(signingInput), key: SymmetricKey(size: .bits256))),
            ("HS256 with an empty key", signingInput + "." + sign(String(signingInput), key: SymmetricKey(data: Data()))),
            ("expired", expired),
            ("sub changed to the admin", parts[0] + "." + (try encode(promoted)) + "." + parts[2]),
            ("role claim added", parts[0] + "." + (try encode(withRole)) + "." + parts[2]),
            ("lifetime extended", parts[0] + "." + (try encode(longer)) + "." + parts[2]),
            ("signature stripped", signingInput + "."),
            ("disabled principal", retired),
        ]
        try await fixture.app(ServerConfiguration(tokenFailureLimit: .init(rate: 1, burst: 1000))).test(.router) { client in
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(retired)) { #expect($0.status == .ok) }
            _ = try await fixture.database.principals.disable("retired", as: Self.root)
            for (name, token) in forgeries {
                for (method, uri) in [(HTTPRequest.Method.get, "/api/v1/tools"), (.get, "/api/v1/principals"), (.post, "/api/v1/memory/purge")] {
                    try await client.execute(uri: uri, method: method, headers: headers(token)) { response in
                        Self.expectProblem(response, .unauthorized, "permission_denied", "\(name) \(uri)")
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    }
                }
            }
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .ok) }
        }
        let denials = try await fixture.database.audit.list(AuditQuery(action: "auth.token"), page: PageRequest(limit: 1000), as: Self.root).items
        #expect(denials.count == forgeries.count * 3)
    }

    /// Failed token checks are audited up to a per-address limit; past it a bad token gets 429,
    /// unaudited, so a flood cannot grow the trail without bound, while good tokens still pass.
    @Test func aFloodOfBadTokensIsCutOffPerAddress() async throws {
        let fixture = try await Fixture()
        try await fixture.app(ServerConfiguration(tokenFailureLimit: .init(rate: 0.001, burst: 5))).test(.router) { client in
            for attempt in 1...12 {
                try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers("bad.token.\(attempt)")) { response in
                    if attempt <= 5 {
                        Self.expectProblem(response, .unauthorized, "permission_denied", "attempt \(attempt)")
                    } else {
                        Self.expectProblem(response, .tooManyRequests, "rate_limited", "attempt \(attempt)")
                        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                    }
                }
            }
            // A good token from the same address still passes.
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .ok) }
        }
        let denials = try await fixture.database.audit.list(AuditQuery(action: "auth.token"), page: PageRequest(limit: 100), as: Self.root).items
        #expect(denials.count == 5)
    }

    /// Bad tokens arriving together are charged as they fail: exactly `burst` are audited, however many are in flight.
    @Test func concurrentBadTokensCannotOvershootTheLimit() async throws {
        let fixture = try await Fixture()
        try await fixture.app(ServerConfiguration(tokenFailureLimit: .init(rate: 0.001, burst: 5))).test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for attempt in 0..<40 {
                    group.addTask {
                        try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers("bad.token.\(attempt)")) { UInt($0.status.code) }
                    }
                }
                return try await group.reduce(into: [UInt]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 401 }.count == 5)
            #expect(statuses.filter { $0 == 429 }.count == 35)
        }
        let denials = try await fixture.database.audit.list(AuditQuery(action: "auth.token"), page: PageRequest(limit: 100), as: Self.root).items
        #expect(denials.count == 5)
    }

    // MARK: - 10. Content types

    /// Non-JSON content types on JSON routes are 415, and an empty or blank JSON body is 400; nothing is stored.
    @Test func wrongContentTypesAre415AndEmptyBodiesAre400() async throws {
        let fixture = try await Fixture()
        let routes: [(String, String, String)] = [
            ("/api/v1/tools", fixture.admin, Self.tool),
            ("/api/v1/memory/context", fixture.agent, #"{"agent_id":"planner","data":{}}"#),
            ("/api/v1/principals", fixture.admin, #"{"name":"bob","type":"user"}"#),
            ("/api/v1/errors", fixture.agent, #"{"type":"t","message":"m"}"#),
        ]
        let types: [String?] = [
            nil, "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/xml",
            "application/merge-patch+json", "application/jsonx", "json", "*/*",
        ]
        try await fixture.app().test(.router) { client in
            for (uri, token, payload) in routes {
                for type in types {
                    try await client.execute(uri: uri, method: .post, headers: headers(token, type), body: body(payload)) { response in
                        Self.expectProblem(response, .unsupportedMediaType, "unsupported_media_type", "\(uri) \(type ?? "none")")
                    }
                }
                for blank in ["", " ", "\n\t"] {
                    try await client.execute(uri: uri, method: .post, headers: headers(token), body: body(blank)) { response in
                        Self.expectProblem(response, .badRequest, "malformed_json", "\(uri) blank body")
                    }
                }
            }
            let multipart = "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\necho\r\n--x--\r\n"
            try await client.execute(
                uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin, "multipart/form-data; boundary=x"), body: body(multipart)
            ) {
                Self.expectProblem($0, .unsupportedMediaType, "unsupported_media_type", "real multipart body")
            }
            #expect(try await Self.listed(client, "/api/v1/tools", fixture.admin, key: "name") == [])
            #expect(try await Self.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [])
            #expect(try await Self.listed(client, "/api/v1/principals", fixture.admin, key: "name").sorted() == ["ops", "planner"])
            #expect(try await Self.listed(client, "/api/v1/errors", fixture.admin, key: "id") == [])
            // JSON with parameters and in any case is accepted, so the 415s above are about the media type alone.
            try await client.execute(
                uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin, "Application/JSON; charset=utf-8"), body: body(Self.tool)
            ) {
                #expect($0.status == .created)
            }
        }
    }
}

/// The byte-level reading of `Authorization` headers.
@Suite struct BearerHeaderTests {
    @Test(arguments: [
        ("Bearer abc", "abc"), ("bearer abc", "abc"), ("BEARER  abc \t", "abc"), ("Bearer \tabc.def-ghi_", "abc.def-ghi_"),
        ("Bearer ", ""), ("Bearer    ", ""),
    ])
    func readsTheToken(header: String, token: String) {
        #expect(AuthMiddleware.bearerToken(header) == token)
    }

    @Test(arguments: ["Basic abc", "Bearer", "Bearerabc", "Bearer\u{E9}abc", "Beare\u{1F600}", "Beareé abc", "béarer abc", "", "Token abc", "Bearer\tabc"])
    func refusesOtherSchemes(header: String) {
        #expect(AuthMiddleware.bearerToken(header) == nil)
    }
}

@Suite struct RequestIDTests {
    @Test func generatedIDsAreLowerCaseUUIDShapedAndDistinct() throws {
        let generator = RequestIDGenerator()
        let ids = (0..<1000).map { _ in generator.next() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(3) {
            #expect(id.count == 36)
            #expect(id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
            #expect(id.allSatisfy { "0123456789abcdef-".contains($0) })
        }
        // The counter half counts; another process (generator) has another random half.
        #expect(ids[0].hasSuffix("-0000-000000000001") && ids[1].hasSuffix("-0000-000000000002"))
        #expect(RequestIDGenerator().next().prefix(23) != ids[0].prefix(23))
    }
}
