import DryadCore
import DryadTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// The review's finding, performed: `POST /memory/context` with a misspelt `"ttl"` stored a
/// context that never expires. Every JSON object body refuses a field it does not know (422
/// naming it), and accepts and ignores the read-only fields of the resource's own JSON.
@Suite struct StrictBodyTests {
    /// A valid body of every route that takes a JSON object, by "METHOD path" (path parameters
    /// need not exist: a body is read before the resource is looked up).
    static let validBodies: [String: String] = [
        "POST /api/v1/memory/context": #"{"agent_id":"planner"}"#,
        "PUT /api/v1/memory/context/{id}": #"{"data":{}}"#,
        "POST /api/v1/memory/context/{id}/shares": #"{"agent_id":"critic"}"#,
        "POST /api/v1/errors": #"{"type":"t","message":"m"}"#,
        "POST /api/v1/errors/{id}/resolve": #"{"note":"n"}"#,
        "POST /api/v1/sessions": #"{"label":"l"}"#,
        "POST /api/v1/principals": #"{"name":"ann","type":"agent"}"#,
        "PUT /api/v1/principals/{name}/limit": #"{"rate":1,"burst":1}"#,
        "PUT /api/v1/principals/{name}/role": #"{"role":"member"}"#,
        "PUT /api/v1/principals/{name}/quota": #"{"sessions":5}"#,
        "POST /api/v1/permissions": #"{"tool":"t","principal":"ann","level":"read"}"#,
        "POST /api/v1/tokens": #"{"principal":"ops"}"#,
        "POST /api/v1/tools": #"{"name":"t","description":"d"}"#,
        "PUT /api/v1/tools/{ref}": #"{"name":"t","version":"1.0.0","description":"d"}"#,
    ]

    /// Bodies that are not objects of named fields: a tool's input and a merge patch.
    static let openBodies: Set<String> = ["ToolInput", "MergePatch"]

    @Test func everyObjectBodyRefusesAnUnknownField() async throws {
        let fixture = try await Fixture()
        let routes = buildRouter(database: fixture.database, configuration: ServerConfiguration(), upstream: nil).1.specs.filter { spec in
            spec.body.map { !Self.openBodies.contains($0.schema) } ?? false
        }
        #expect(Set(routes.map { "\($0.method.rawValue) \($0.path)" }) == Set(Self.validBodies.keys))
        try await fixture.app().test(.router) { client in
            for route in routes {
                let key = "\(route.method.rawValue) \(route.path)"
                let valid = try #require(Self.validBodies[key])
                let path = route.path.replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
                    .replacingOccurrences(of: "{name}", with: "planner").replacingOccurrences(of: "{ref}", with: "t")
                let misspelt = String(valid.dropLast()) + #","bogus_field":1}"#
                try await client.execute(uri: path, method: route.method, headers: headers(fixture.admin), body: body(misspelt)) { response in
                    #expect(response.status == .unprocessableContent, "\(key)")
                    #expect((fields(response)["detail"] as? String)?.contains("bogus_field") == true, "\(key): \(fields(response))")
                }
            }
        }
    }

    /// The review's three bodies: each was stored without the misspelt field.
    @Test func theReviewsMisspeltFieldsAreRefused() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            for (uri, text, field) in [
                ("/api/v1/memory/context", #"{"agent_id":"planner","parent":"x"}"#, "parent"),
                ("/api/v1/memory/context", #"{"agent_id":"planner","ttl":60}"#, "ttl"),
                ("/api/v1/memory/context", #"{"agent_id":"planner","tag":["a"]}"#, "tag"),
                ("/api/v1/errors", #"{"type":"t","message":"m","context":"x"}"#, "context"),
                ("/api/v1/principals", #"{"name":"eve","type":"user","rolee":"admin"}"#, "rolee"),
            ] {
                try await client.execute(uri: uri, method: .post, headers: headers(fixture.admin), body: body(text)) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(fields(response)["detail"] as? String == "\(field): unknown field")
                }
            }
        }
        #expect(try await fixture.database.memory.list(MemoryQuery(), as: Principal.localOperator(user: "tester")).items.isEmpty)
        #expect(try await fixture.database.principals.list(as: Principal.localOperator(user: "tester")).map(\.name).contains("eve") == false)
    }

    /// A context's own JSON, sent back, stores a copy (POST) or replaces it (PUT); a fixed field
    /// restated with another value is refused, not silently kept.
    @Test func aContextsOwnJSONCanBeSentBack() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            var stored = ""
            try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.admin),
                body: body(#"{"agent_id":"planner","key":"plan","data":{"a":1},"ttl_seconds":600}"#)
            ) { response in
                #expect(response.status == .created)
                stored = String(buffer: response.body)
            }
            let id = try #require(try JSONValue.parse(stored).objectValue?["id"]?.stringValue)
            // Sent back as it is, it changes nothing, so no version is written.
            try await client.execute(uri: "/api/v1/memory/context/\(id)", method: .put, headers: headers(fixture.admin), body: body(stored)) {
                #expect($0.status == .ok)
                #expect(fields($0)["version"] as? Int == 1)
            }
            let edited = stored.replacingOccurrences(of: #""data":{"a":1}"#, with: #""data":{"a":2}"#)
            try await client.execute(uri: "/api/v1/memory/context/\(id)", method: .put, headers: headers(fixture.admin), body: body(edited)) {
                #expect($0.status == .ok)
                #expect(fields($0)["version"] as? Int == 2)
            }
            let moved = stored.replacingOccurrences(of: #""agent_id":"planner""#, with: #""agent_id":"critic""#)
            try await client.execute(uri: "/api/v1/memory/context/\(id)", method: .put, headers: headers(fixture.admin), body: body(moved)) {
                #expect($0.status == .unprocessableContent)
                #expect(fields($0)["detail"] as? String == #"agent_id: cannot change after the context is stored (it is "planner")"#)
            }
            let copy = stored.replacingOccurrences(of: #""key":"plan""#, with: #""key":"plan-2""#)
            try await client.execute(uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.admin), body: body(copy)) {
                #expect($0.status == .created)
                #expect(fields($0)["id"] as? String != id)
            }
        }
    }

    /// A user storing a context is told the real reason: users hold no memory.
    @Test func aUserIsToldUsersHoldNoMemory() async throws {
        let fixture = try await Fixture()
        _ = try await fixture.database.principals.add("bob", type: .user, role: .member, as: Principal.localOperator(user: "tester"))
        let token = try await fixture.database.tokens.issue(for: "bob", as: Principal.localOperator(user: "tester")).token
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/memory/context", method: .post, headers: headers(token), body: body(#"{"agent_id":"bob"}"#)) {
                #expect($0.status == .forbidden)
                #expect(fields($0)["detail"] as? String == "bob is a user: only agents hold memory (an admin may store for one)")
            }
        }
    }

    /// A context is found by key with `GET /memory/context?key=&agent_id=`.
    @Test func aContextIsFoundByKey() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            let id = try await client.execute(
                uri: "/api/v1/memory/context", method: .post, headers: headers(fixture.agent), body: body(#"{"agent_id":"planner","key":"plan"}"#)
            ) { fields($0)["id"] as? String ?? "" }
            try await client.execute(uri: "/api/v1/memory/context?key=plan&agent_id=planner", method: .get, headers: headers(fixture.agent)) {
                #expect((fields($0)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            }
            try await client.execute(uri: "/api/v1/memory/context?key=other&agent=planner", method: .get, headers: headers(fixture.agent)) {
                #expect((fields($0)["items"] as? [Any])?.isEmpty == true)
            }
        }
    }
}
