import Crypto
import DryadCore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// Hostile bodies: oversized, deeply nested, badly encoded, control characters, query syntax, wrong types and content types end in the documented problem (never a 5xx) and leave nothing half-written.
@Suite struct HostileBodyTests {
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
                    HostileInput.expectProblem(response, .contentTooLarge, "too_large", uri)
                }
            }
            #expect(try await HostileInput.listed(client, "/api/v1/tools", fixture.admin, key: "name") == [])
            #expect(try await HostileInput.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [])
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
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(HostileInput.tool)) {
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
                    HostileInput.expectProblem(response, .badRequest, "malformed_json", "\(method) \(uri) \(payload.prefix(12))")
                }
            }
            #expect(try await HostileInput.listed(client, "/api/v1/tools", fixture.admin, key: "name") == ["echo"])
            #expect(try await HostileInput.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [id])
            #expect(try await HostileInput.listed(client, "/api/v1/tools/echo/history", fixture.admin, key: "id") == [])
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
                        HostileInput.expectProblem(response, .badRequest, "malformed_json", "\(uri) \(name)")
                    }
                }
            }
            #expect(try await HostileInput.listed(client, "/api/v1/tools", fixture.admin, key: "name") == [])
            #expect(try await HostileInput.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [])
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
                    HostileInput.expectProblem(response, .unprocessableContent, "invalid_input", "\(uri) \(payload)")
                    #expect(!String(buffer: response.body).contains("\u{0}"), "the problem does not echo a raw NUL")
                }
            }
            #expect(try await HostileInput.listed(client, "/api/v1/tools", fixture.admin, key: "name") == [])
            #expect(try await HostileInput.listed(client, "/api/v1/principals", fixture.admin, key: "name").sorted() == ["ops", "planner"])
            #expect(try await HostileInput.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [id])
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
                try await client.execute(uri: "/api/v1/memory/search?q=\(try HostileInput.encoded(query))", method: .get, headers: headers(fixture.agent)) {
                    response in
                    if status == .ok {
                        #expect(response.status == .ok, "\(label): \(response.status) \(String(buffer: response.body).prefix(200))")
                        #expect(fields(response)["items"] is [Any], "\(label)")
                    } else {
                        HostileInput.expectProblem(response, status, "invalid_input", label)
                    }
                }
            }
            // The table and its index are intact: the context is still found, listed and readable.
            #expect(try await HostileInput.listed(client, "/api/v1/memory/search?q=ship", fixture.agent, key: "id") == [id])
            #expect(
                try await HostileInput.listed(client, "/api/v1/memory/search?q=\(try HostileInput.encoded("\"ship the\""))", fixture.agent, key: "id") == [id])
            #expect(try await HostileInput.listed(client, "/api/v1/memory/context", fixture.agent, key: "id") == [id])
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
                    HostileInput.expectProblem(response, .unprocessableContent, "invalid_input", "\(method) \(uri) \(payload)")
                }
            }
            #expect(try await HostileInput.listed(client, "/api/v1/sessions", fixture.admin, key: "id") == [])
            #expect(try await HostileInput.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [id])
            #expect(try await HostileInput.listed(client, "/api/v1/principals", fixture.admin, key: "name").sorted() == ["ops", "planner"])
            #expect(try await HostileInput.listed(client, "/api/v1/errors", fixture.admin, key: "id") == [])
            // A query flag is checked even when the flag it qualifies is off.
            try await client.execute(uri: "/api/v1/memory/context/\(id)?explain=maybe", method: .get, headers: headers(fixture.agent)) { response in
                HostileInput.expectProblem(response, .unprocessableContent, "invalid_input", "explain=maybe")
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
                    HostileInput.expectProblem(response, status, code, payload)
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
                (.post, "/api/v1/tools", "/api/v1/tools", HostileInput.tool),
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

    // MARK: - 10. Content types

    /// Non-JSON content types on JSON routes are 415, and an empty or blank JSON body is 400; nothing is stored.
    @Test func wrongContentTypesAre415AndEmptyBodiesAre400() async throws {
        let fixture = try await Fixture()
        let routes: [(String, String, String)] = [
            ("/api/v1/tools", fixture.admin, HostileInput.tool),
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
                        HostileInput.expectProblem(response, .unsupportedMediaType, "unsupported_media_type", "\(uri) \(type ?? "none")")
                    }
                }
                for blank in ["", " ", "\n\t"] {
                    try await client.execute(uri: uri, method: .post, headers: headers(token), body: body(blank)) { response in
                        HostileInput.expectProblem(response, .badRequest, "malformed_json", "\(uri) blank body")
                    }
                }
            }
            let multipart = "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\necho\r\n--x--\r\n"
            try await client.execute(
                uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin, "multipart/form-data; boundary=x"), body: body(multipart)
            ) {
                HostileInput.expectProblem($0, .unsupportedMediaType, "unsupported_media_type", "real multipart body")
            }
            #expect(try await HostileInput.listed(client, "/api/v1/tools", fixture.admin, key: "name") == [])
            #expect(try await HostileInput.listed(client, "/api/v1/memory/context", fixture.admin, key: "id") == [])
            #expect(try await HostileInput.listed(client, "/api/v1/principals", fixture.admin, key: "name").sorted() == ["ops", "planner"])
            #expect(try await HostileInput.listed(client, "/api/v1/errors", fixture.admin, key: "id") == [])
            // JSON with parameters and in any case is accepted, so the 415s above are about the media type alone.
            try await client.execute(
                uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin, "Application/JSON; charset=utf-8"), body: body(HostileInput.tool)
            ) {
                #expect($0.status == .created)
            }
        }
    }
}
