import DryadCore
import DryadTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// HTTP as the RFCs say: HEAD wherever GET works, 405 with `Allow` for a known path asked with
/// another method, `no-store` on answers carrying a token, and `Warning` on a deprecated run.
@Suite struct HTTPSemanticsTests {
    @Test func headAnswersWhereverGetDoes() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            var length = ""
            try await client.execute(uri: "/api/v1/principals", method: .get, headers: headers(fixture.admin)) { response in
                #expect(response.status == .ok)
                length = response.headers[.contentLength] ?? ""
            }
            try await client.execute(uri: "/api/v1/principals", method: .head, headers: headers(fixture.admin)) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.contentLength] == length && !length.isEmpty)
            }
            try await client.execute(uri: "/healthz", method: .head) { #expect($0.status == .ok) }
            // HEAD is authenticated exactly as GET is.
            try await client.execute(uri: "/api/v1/principals", method: .head) { #expect($0.status == .unauthorized) }
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/memory/context/abc", method: .post, headers: headers(fixture.admin)) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "DELETE, GET, HEAD, PATCH, PUT")
                #expect(fields(response)["code"] as? String == "method_not_allowed")
            }
            // Without a token too: which methods a path takes is in the public OpenAPI document.
            try await client.execute(uri: "/api/v1/tools", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD, POST")
            }
            try await client.execute(uri: "/api/v1/nowhere", method: .post, headers: headers(fixture.admin)) { response in
                #expect(response.status == .notFound)
                #expect(fields(response)["code"] as? String == "no_route")
            }
        }
    }

    @Test func anIssuedTokenIsNeverCached() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tokens", method: .post, headers: headers(fixture.admin), body: body(#"{"principal":"planner"}"#)) {
                #expect($0.status == .created)
                #expect($0.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test func aDeprecatedToolsRunSaysSo() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let definition = #"{"name":"old","description":"d","status":"deprecated","executor":{"kind":"command","argv":["/bin/cat"]}}"#
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(definition)) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/api/v1/tools/old/execute", method: .post, headers: headers(fixture.admin), body: body("{}")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[values: HTTPField.Name("Warning")!] == [#"299 dryad "tool old@1.0.0 is deprecated""#])
                #expect(fields(response)["warnings"] as? [String] == ["tool old@1.0.0 is deprecated"])
                #expect(fields(response)["status"] as? String == "succeeded")
            }
        }
    }

    /// RFC 9110 §13.1.1: `*`, lists, strong comparison; and a stale precondition answers 412
    /// before anything about the body (§13.2.2).
    @Test func ifMatchFollowsTheRFC() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            var id = ""
            try await client.execute(uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.admin), body: body(#"{"agent_id":"planner"}"#)) {
                id = fields($0)["id"] as? String ?? ""
            }
            let uri = "/api/v1/memory/context/\(id)"
            func put(_ ifMatch: String, _ text: String = #"{"data":{"n":1}}"#) async throws -> TestResponse {
                try await client.execute(uri: uri, method: .put, headers: headers(fixture.admin, "application/json", ["If-Match": ifMatch]), body: body(text))
            }
            // Weak tags never match under strong comparison, nor do tags this server never makes.
            #expect(try await put(#"W/"1""#).status == .preconditionFailed)
            #expect(try await put(#""abc""#).status == .preconditionFailed)
            // A list matches when any member does; `*` matches any current version.
            let listed = try await put(#""7", W/"1", "1""#)
            #expect(listed.status == .ok && listed.headers[.eTag] == #""2""#)
            #expect(try await put("*", #"{"data":{"n":2}}"#).status == .ok)
            // Stale and malformed: 412, not 422, and the trail shows the refused update.
            let stale = try await put(#""1""#, #"{"data":{"n":3},"bogus":1}"#)
            #expect(stale.status == .preconditionFailed)
            #expect(fields(stale)["detail"] as? String == "context \(id) is at version 3, not 1")
            // Only the digits this server writes match; an empty change is checked after the precondition too.
            #expect(try await put(#""03""#).status == .preconditionFailed)
            #expect(try await put(#""+3""#).status == .preconditionFailed)
            #expect(try await put(#""1""#, "{}").status == .preconditionFailed)
            let current = try await put(#""3""#, #"{"data":{"n":3},"bogus":1}"#)
            #expect(current.status == .unprocessableContent)
            let patch = try await client.execute(
                uri: uri, method: .patch, headers: headers(fixture.admin, "application/merge-patch+json", ["If-Match": #""1""#]), body: body("{"))
            #expect(patch.status == .preconditionFailed)
            // The same for tools.
            let definition = #"{"name":"t","description":"d"}"#
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(definition)) { _ in }
            let tool = try await client.execute(
                uri: "/api/v1/tools/t@1.0.0", method: .put, headers: headers(fixture.admin, "application/json", ["If-Match": #""9""#]), body: body("[]"))
            #expect(tool.status == .preconditionFailed)
            // A replacement that changes nothing keeps the revision.
            let same = try await client.execute(
                uri: "/api/v1/tools/t@1.0.0", method: .put, headers: headers(fixture.admin, "application/json", ["If-Match": #""1""#]),
                body: body(#"{"name":"t","version":"1.0.0","description":"d"}"#))
            #expect(same.status == .ok && same.headers[.eTag] == #""1""#)
        }
    }

    /// `If-None-Match` answers 304 while the entity tag holds; a resolved context's tag changes
    /// when an ancestor changes what it resolves to.
    @Test func ifNoneMatchRevalidatesAndAResolvedTagFollowsTheAncestors() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            func store(_ text: String) async throws -> String {
                try await client.execute(uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.admin), body: body(text)) {
                    fields($0)["id"] as? String ?? ""
                }
            }
            let root = try await store(#"{"agent_id":"planner","data":{"x":1}}"#)
            let child = try await store(#"{"agent_id":"planner","data":{"y":2},"parent_id":"\#(root)"}"#)
            func get(_ uri: String, _ ifNoneMatch: String? = nil) async throws -> TestResponse {
                try await client.execute(uri: uri, method: .get, headers: headers(fixture.admin, nil, ifNoneMatch.map { ["If-None-Match": $0] } ?? [:]))
            }
            let plain = try await get("/api/v1/memory/context/\(child)")
            #expect(plain.headers[.eTag] == #""1""#)
            let revalidated = try await get("/api/v1/memory/context/\(child)", #"W/"1""#)
            #expect(revalidated.status == .notModified && revalidated.body.readableBytes == 0 && revalidated.headers[.eTag] == #""1""#)
            #expect(try await get("/api/v1/memory/context/\(child)", #""2", "3""#).status == .ok)

            let resolved = "/api/v1/memory/context/\(child)?resolved=true"
            let first = try #require(try await get(resolved).headers[.eTag])
            #expect(try await get(resolved, first).status == .notModified)
            try await client.execute(
                uri: "/api/v1/memory/context/\(root)", method: .put, headers: headers(fixture.admin), body: body(#"{"data":{"x":5}}"#)
            ) { #expect($0.status == .ok) }
            let changed = try await get(resolved, first)
            #expect(changed.status == .ok && changed.headers[.eTag] != first)
            #expect((fields(changed)["data"] as? [String: Int]) == ["x": 5, "y": 2])
            // The child's own tag is its version: its own data did not change.
            #expect(try await get("/api/v1/memory/context/\(child)", #""1""#).status == .notModified)
            // A resolved tag is no version: as a precondition it matches nothing.
            let put = try await client.execute(
                uri: "/api/v1/memory/context/\(child)", method: .put, headers: headers(fixture.admin, "application/json", ["If-Match": first]),
                body: body(#"{"data":{}}"#))
            #expect(put.status == .preconditionFailed)
        }
    }
}
