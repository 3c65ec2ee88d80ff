import Crypto
import DryadCore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// Forged tokens and floods of bad ones.
@Suite struct HostileTokenTests {
    // MARK: - 9. Tokens

    /// Forged, tampered, expired and disabled-principal tokens are 401 over HTTP, while the genuine token works.
    @Test func forgedTokensAre401() async throws {
        let fixture = try await Fixture()
        _ = try await fixture.database.principals.add("retired", type: .agent, role: .member, as: HostileInput.root)
        let retired = try await fixture.database.tokens.issue(for: "retired", as: HostileInput.root).token
        // A second handle on the same file whose clock is two hours slow issues a genuine, already expired token.
        let slow = try DryadDatabase(path: fixture.folder + "/d.db", clock: { Date().addingTimeInterval(-7200) })
        let expired = try await slow.tokens.issue(for: "planner", ttl: 60, as: HostileInput.root).token

        let parts = fixture.agent.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        let header = try #require(try JSONSerialization.jsonObject(with: try HostileInput.decodeBase64URL(parts[0])) as? [String: Any])
        let claims = try #require(try JSONSerialization.jsonObject(with: try HostileInput.decodeBase64URL(parts[1])) as? [String: Any])
        func encode(_ object: [String: Any]) throws -> String {
            HostileInput.base64URL(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        }
        func sign(_ input: String, key: SymmetricKey) -> String {
            HostileInput.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)))
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
            _ = try await fixture.database.principals.disable("retired", as: HostileInput.root)
            for (name, token) in forgeries {
                for (method, uri) in [(HTTPRequest.Method.get, "/api/v1/tools"), (.get, "/api/v1/principals"), (.post, "/api/v1/memory/purge")] {
                    try await client.execute(uri: uri, method: method, headers: headers(token)) { response in
                        HostileInput.expectProblem(response, .unauthorized, "permission_denied", "\(name) \(uri)")
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    }
                }
            }
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .ok) }
        }
        let denials = try await fixture.database.audit.list(AuditQuery(action: "auth.token"), page: PageRequest(limit: 1000), as: HostileInput.root).items
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
                        HostileInput.expectProblem(response, .unauthorized, "permission_denied", "attempt \(attempt)")
                    } else {
                        HostileInput.expectProblem(response, .tooManyRequests, "rate_limited", "attempt \(attempt)")
                        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                    }
                }
            }
            // A good token from the same address still passes.
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: headers(fixture.agent)) { #expect($0.status == .ok) }
        }
        let denials = try await fixture.database.audit.list(AuditQuery(action: "auth.token"), page: PageRequest(limit: 100), as: HostileInput.root).items
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
        let denials = try await fixture.database.audit.list(AuditQuery(action: "auth.token"), page: PageRequest(limit: 100), as: HostileInput.root).items
        #expect(denials.count == 5)
    }
}
