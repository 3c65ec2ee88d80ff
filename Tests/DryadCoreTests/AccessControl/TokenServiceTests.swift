import Crypto
import DryadTestSupport
import Foundation
import GRDB
import JWTKit
import Synchronization
import Testing

@testable import DryadCore

/// A clock the tests move by hand.
private final class HandClock: Sendable {
    private let value = Mutex(Date(timeIntervalSince1970: 1_900_000_000))
    func withLock<T>(_ body: (inout Date) -> T) -> T { value.withLock { body(&$0) } }
}

/// Tokens: issue, verify, and a battery of forgeries that must all be "invalid token".
@Suite struct TokenServiceTests {
    let folder: TemporaryFolder
    private let now = HandClock()
    let database: DryadDatabase

    init() async throws {
        folder = try TemporaryFolder()
        let clock = now
        database = try DryadDatabase(path: folder.path + "/d.db", clock: { clock.withLock { $0 } })
        _ = try await database.principals.add("planner", type: .agent, role: .member, as: testOperator)
    }

    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// Signs arbitrary claims and header with a given secret, as a forger would.
    func forge(kid: String?, secret: Data, alg: String = "HS256", claims: [String: JSONValue]) -> String {
        func encode(_ value: JSONValue) -> String {
            Data(value.canonicalText.utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        var header: [String: JSONValue] = ["alg": .string(alg), "typ": .string("JWT")]
        if let kid { header["kid"] = .string(kid) }
        let input = encode(.object(header)) + "." + encode(.object(claims))
        guard alg != "none" else { return input + "." }
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: secret))
        let signature = Data(mac).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return input + "." + signature
    }

    func claims(
        sub: String = "planner", jti: String, exp: TimeInterval = 3600, nbf: TimeInterval = 0,
        iss: String = "dryad", aud: String = "dryad"
    ) -> [String: JSONValue] {
        let t = now.withLock { $0.timeIntervalSince1970 }
        return [
            "sub": .string(sub), "jti": .string(jti), "iss": .string(iss), "aud": .array([.string(aud)]),
            "exp": .number(t + exp), "nbf": .number(t + nbf), "iat": .number(t),
        ]
    }

    func key() async throws -> (kid: String, secret: Data) {
        try await database.pool.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT kid, secret FROM signing_key"))
            return (row["kid"], row["secret"])
        }
    }

    @Test func anIssuedTokenVerifiesAsItsSubject() async throws {
        let issued = try await database.tokens.issue(for: "planner", ttl: 3600, as: testOperator)
        let principal = try await database.tokenVerifier.verify(issued.token, requestID: "r1")
        #expect(principal.name == "planner")
        #expect(principal.kind == .agent)
        #expect(principal.requestID == "r1")
        #expect(try await database.tokens.list(as: testOperator).map(\.id) == [issued.record.id])
        // Within the 60 s leeway past expiry it still verifies; beyond, it does not.
        advance(3600 + 30)
        _ = try await database.tokenVerifier.verify(issued.token, requestID: nil)
        advance(60)
        await #expect(throws: DryadError.permissionDenied("invalid token")) { _ = try await database.tokenVerifier.verify(issued.token, requestID: nil) }
    }

    @Test func forgedAndBrokenTokensAreAllInvalid() async throws {
        let issued = try await database.tokens.issue(for: "planner", as: testOperator)
        let (kid, secret) = try await key()
        let jti = issued.record.id
        let wrongKey = Data(repeating: 7, count: 32)
        _ = try await database.principals.add("gone", type: .user, role: .member, as: testOperator)
        let goneToken = try await database.tokens.issue(for: "gone", as: testOperator)
        _ = try await database.principals.disable("gone", as: testOperator)
        let revoked = try await database.tokens.issue(for: "planner", as: testOperator)
        _ = try await database.tokens.revoke(revoked.record.id, as: testOperator)

        let forgeries: [(String, String)] = [
            ("alg none", forge(kid: kid, secret: secret, alg: "none", claims: claims(jti: jti))),
            ("HS512 header", forge(kid: kid, secret: secret, alg: "HS512", claims: claims(jti: jti))),
            ("RS256 header (key confusion)", forge(kid: kid, secret: secret, alg: "RS256", claims: claims(jti: jti))),
            ("wrong key", forge(kid: kid, secret: wrongKey, claims: claims(jti: jti))),
            ("no kid", forge(kid: nil, secret: secret, claims: claims(jti: jti))),
            ("unknown kid", forge(kid: "not-ours", secret: secret, claims: claims(jti: jti))),
            ("expired", forge(kid: kid, secret: secret, claims: claims(jti: jti, exp: -120))),
            ("not yet valid", forge(kid: kid, secret: secret, claims: claims(jti: jti, nbf: 600))),
            ("wrong audience", forge(kid: kid, secret: secret, claims: claims(jti: jti, aud: "other"))),
            ("wrong issuer", forge(kid: kid, secret: secret, claims: claims(jti: jti, iss: "evil"))),
            ("unknown token id", forge(kid: kid, secret: secret, claims: claims(jti: "00000000-0000-0000-0000-000000000000"))),
            ("subject swapped", forge(kid: kid, secret: secret, claims: claims(sub: "gone", jti: jti))),
            ("revoked", revoked.token),
            ("disabled principal", goneToken.token),
            ("truncated", String(issued.token.dropLast(5))),
            ("tampered payload", issued.token.replacingOccurrences(of: ".", with: ".e", options: [], range: nil)),
            ("garbage", "garbage"),
            ("empty", ""),
            ("two parts", "a.b"),
            ("huge", String(repeating: "a", count: 100_000)),
        ]
        for (name, token) in forgeries {
            do {
                _ = try await database.tokenVerifier.verify(token, requestID: nil)
                Issue.record("\(name) was accepted")
            } catch {
                #expect(error == .permissionDenied("invalid token"), "\(name)")
            }
        }
        // Every refusal is audited, and no token text enters the trail.
        let entries = try await database.audit.list(AuditQuery(action: "auth.token"), page: PageRequest(limit: 1000), as: testOperator).items
        #expect(entries.count == forgeries.count)
        #expect(entries.allSatisfy { $0.decision == "deny" && !$0.reason.contains(issued.token) && !$0.resource.contains(".") })
        // The genuine token still works.
        #expect(try await database.tokenVerifier.verify(issued.token, requestID: nil).name == "planner")
    }

    @Test func rotationKeepsOldKeysForTheirTokens() async throws {
        let before = try await database.tokens.issue(for: "planner", ttl: 600, as: testOperator)
        let kid = try await database.tokens.rotateKey(as: testOperator)
        let after = try await database.tokens.issue(for: "planner", as: testOperator)
        #expect(after.record.kid == kid)
        #expect(before.record.kid != kid)
        _ = try await database.tokenVerifier.verify(before.token, requestID: nil)
        _ = try await database.tokenVerifier.verify(after.token, requestID: nil)
        // Once the old key's tokens have expired, the next rotation drops it.
        advance(3600)
        _ = try await database.tokens.rotateKey(as: testOperator)
        let keys = try await database.pool.read { db in try String.fetchAll(db, sql: "SELECT kid FROM signing_key") }
        #expect(!keys.contains(before.record.kid))
    }

    @Test func lifetimesAreBounded() async throws {
        #expect(await errorCode { _ = try await database.tokens.issue(for: "planner", ttl: 0, as: testOperator) } == "invalid_input")
        #expect(await errorCode { _ = try await database.tokens.issue(for: "planner", ttl: 31 * 86_400, as: testOperator) } == "invalid_input")
        await #expect(throws: DryadError.notFound("principal nobody not found")) { _ = try await database.tokens.issue(for: "nobody", as: testOperator) }
    }
}
