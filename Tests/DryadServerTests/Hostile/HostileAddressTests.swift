import Crypto
import DryadCore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// Hostile paths and paging: odd, encoded and oversized path parameters, hostile cursors and limits.
@Suite struct HostileAddressTests {
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
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(HostileInput.tool)) {
                #expect($0.status == .created)
            }
            for (method, uri, status, code) in cases {
                try await client.execute(uri: uri, method: method, headers: headers(fixture.admin)) { response in
                    HostileInput.expectProblem(response, status, code, "\(method) \(uri.prefix(60))")
                }
            }
            #expect(try await HostileInput.listed(client, "/api/v1/tools", fixture.admin, key: "name") == ["echo"])
        }
    }

    /// Path parameters are percent-decoded, as clients generated from the OpenAPI document send
    /// them (`@` as `%40`); a broken escape is 422. Names a URL client would rewrite are refused.
    @Test func encodedPathParametersAreDecoded() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(HostileInput.tool)) {
                #expect($0.status == .created)
            }
            for uri in ["/api/v1/tools/echo%401.0.0", "/api/v1/tools/%65cho", "/api/v1/tools/echo%401.0.0/stats", "/api/v1/principals/pl%61nner"] {
                try await client.execute(uri: uri, method: .get, headers: headers(fixture.admin)) { #expect($0.status == .ok, "\(uri)") }
            }
            try await client.execute(uri: "/api/v1/tools/echo%4", method: .get, headers: headers(fixture.admin)) { response in
                HostileInput.expectProblem(response, .unprocessableContent, "invalid_input", "broken escape")
            }
            let id = try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent), body: body(#"{"agent_id":"planner"}"#)
            ) { fields($0)["id"] as? String ?? "" }
            for agent in [".", ".."] {
                try await client.execute(
                    uri: "/api/v1/memory/context/\(id)/shares", method: .post, headers: headers(fixture.agent), body: body(#"{"agent_id":"\#(agent)"}"#)
                ) { HostileInput.expectProblem($0, .unprocessableContent, "invalid_input", "share with \(agent)") }
                try await client.execute(
                    uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.admin), body: body(#"{"agent_id":"\#(agent)"}"#)
                ) { HostileInput.expectProblem($0, .unprocessableContent, "invalid_input", "store for \(agent)") }
            }
            for name in [".", "..", "anonymous", "local:x"] {
                try await client.execute(
                    uri: "/api/v1/principals", method: .post, headers: headers(fixture.admin), body: body(#"{"name":"\#(name)","type":"agent"}"#)
                ) { response in
                    HostileInput.expectProblem(response, .unprocessableContent, "invalid_input", name)
                }
            }
        }
    }

    // MARK: - 8. Paging

    /// Out-of-range, non-integer and forged paging parameters are 422 invalid_input on every listing; valid ones page normally.
    @Test func hostilePagingIsInvalidInput() async throws {
        let fixture = try await Fixture()
        let long = String(repeating: "A", count: 10 * 1024)
        let notACursor = [
            HostileInput.base64URL(Data(#"["x"]"#.utf8)), HostileInput.base64URL(Data(#"[1,2]"#.utf8)), HostileInput.base64URL(Data(#"{"a":"b"}"#.utf8)),
            HostileInput.base64URL(Data((String(repeating: "[", count: 500) + String(repeating: "]", count: 500)).utf8)),
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
                        HostileInput.expectProblem(response, .unprocessableContent, "invalid_input", "\(listing) \(parameter.prefix(40))")
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
                let second = try await HostileInput.listed(
                    client, listing + "?limit=1&cursor=\(cursor)", fixture.admin, key: listing.hasSuffix("tools") ? "name" : "id")
                #expect(second.count == 1)
                #expect(second.first != ((first["items"] as? [[String: Any]])?.first?[listing.hasSuffix("tools") ? "name" : "id"] as? String))
            }
        }
    }
}
