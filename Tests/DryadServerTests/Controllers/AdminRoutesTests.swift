import DryadCore
import DryadTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// The everyday admin commands over REST: enable and set-role, revoke as idempotent as grant,
/// audit filtered by a tool's name across its versions, and failed changes in the trail.
@Suite struct AdminRoutesTests {
    @Test func principalsAreEnabledAgainAndChangeRole() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/principals/planner/disable", method: .post, headers: headers(fixture.admin, nil)) {
                #expect(fields($0)["disabled"] as? Bool == true)
            }
            try await client.execute(uri: "/api/v1/memory/context", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/principals/planner/enable", method: .post, headers: headers(fixture.admin, nil)) {
                #expect(fields($0)["disabled"] as? Bool == false)
            }
            try await client.execute(uri: "/api/v1/memory/context", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .ok) }

            try await client.execute(uri: "/api/v1/principals", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .forbidden) }
            try await client.execute(
                uri: "/api/v1/principals/planner/role", method: .put, headers: headers(fixture.admin), body: body(#"{"role":"admin"}"#)
            ) { #expect(fields($0)["role"] as? String == "admin") }
            try await client.execute(uri: "/api/v1/principals", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/api/v1/principals/planner/role", method: .put, headers: headers(fixture.admin), body: body(#"{"role":"root"}"#)
            ) { #expect($0.status == .unprocessableContent) }
        }
    }

    @Test func revokingTwiceSucceedsAndFailedChangesAreInTheTrail() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(#"{"name":"t","description":"d"}"#)) {
                #expect($0.status == .created)
            }
            let grant = #"{"tool":"t","principal":"planner","level":"read"}"#
            for _ in 0..<2 {
                try await client.execute(uri: "/api/v1/permissions", method: .post, headers: headers(fixture.admin), body: body(grant)) {
                    #expect($0.status == .created)
                }
            }
            for _ in 0..<2 {
                try await client.execute(uri: "/api/v1/permissions?tool=t&principal=planner&level=read", method: .delete, headers: headers(fixture.admin)) {
                    #expect($0.status == .noContent)
                }
            }
            // A conflict on an admin route is audited as a refused change.
            try await client.execute(
                uri: "/api/v1/principals", method: .post, headers: headers(fixture.admin), body: body(#"{"name":"planner","type":"agent"}"#)
            ) {
                #expect($0.status == .conflict)
            }
            try await client.execute(uri: "/api/v1/audit?action=principals.add&decision=deny", method: .get, headers: headers(fixture.admin)) { response in
                let items = fields(response)["items"] as? [[String: Any]] ?? []
                #expect(items.count == 1)
                #expect((items.first?["reason"] as? String)?.hasPrefix("failed: conflict: ") == true)
            }
            // `tool:NAME` finds the entries of its versions too.
            try await client.execute(uri: "/api/v1/tools/t@1.0.0", method: .get, headers: headers(fixture.admin)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/audit?resource=tool:t&action=tools.get", method: .get, headers: headers(fixture.admin)) { response in
                let resources = (fields(response)["items"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? String }
                #expect(resources == ["tool:t@1.0.0"])
            }
        }
    }
}
