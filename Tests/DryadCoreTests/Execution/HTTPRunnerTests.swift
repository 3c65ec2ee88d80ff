import DryadTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import DryadCore

/// HTTP executors against a real local server started by the test.
@Suite struct HTTPRunnerTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    /// A server with one route per behaviour the executor must handle.
    func endpoint() -> some ApplicationProtocol {
        let router = Router()
        router.post("echo") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let object: JSONValue = .object([
                "body": (try? JSONValue.parse(Data(body.readableBytesView))) ?? .null,
                "auth": request.headers[.authorization].map(JSONValue.string) ?? .null,
                "type": request.headers[.contentType].map(JSONValue.string) ?? .null,
            ])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: object.canonicalText)))
        }
        router.post("broken") { _, _ -> Response in
            Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "database exploded")))
        }
        router.post("text") { _, _ in "not json" }
        router.post("moved") { _, _ -> Response in
            Response(status: .found, headers: [.location: "http://other.invalid/steal"])
        }
        router.post("slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(3))
            return "{}"
        }
        router.post("dribble") { _, _ -> Response in
            // Answers at once, then stalls in the middle of the body.
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "{"))
                    try await Task.sleep(for: .seconds(6))
                    try await writer.finish(nil)
                })
        }
        router.post("huge") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "a"), count: 2 * 1024 * 1024)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Registers a tool for the test's server, which listens on loopback: `allowPrivate` by default.
    func register(
        _ name: String, port: Int, path: String, headers: [String: String] = [:], timeout: Double = 10, host: String = "127.0.0.1",
        allowPrivate: Bool = true
    ) async throws {
        var definition = definition(name)
        definition.executor = .http(
            HTTPEndpoint(url: "http://\(host):\(port)/\(path)", headers: headers, timeoutSeconds: timeout, allowPrivate: allowPrivate))
        _ = try await database.tools.register([definition], as: testOperator)
    }

    @Test func coversSuccessFailureRedirectsTimeoutsAndCaps() async throws {
        let runner = database.executor(environment: ["API_TOKEN": "t0ken"])
        try await endpoint().test(.live) { client in
            let port = try #require(client.port)
            try await register("echo", port: port, path: "echo", headers: ["Authorization": "Bearer ${API_TOKEN}"])
            let ok = try await runner.execute(.nameOrID("echo"), input: .object(["q": .string("x")]), as: testOperator)
            #expect(ok.record.status == .succeeded)
            #expect(ok.record.httpStatus == 200)
            #expect(
                ok.record.output
                    == .object([
                        "body": .object(["q": .string("x")]), "auth": .string("Bearer t0ken"), "type": .string("application/json"),
                    ]))

            try await register("broken", port: port, path: "broken")
            let broken = try await runner.execute(.nameOrID("broken"), input: .object([:]), as: testOperator)
            #expect(broken.record.status == .failed)
            #expect(broken.record.httpStatus == 500)
            #expect(broken.record.error == "HTTP 500: database exploded")

            try await register("text", port: port, path: "text")
            let text = try await runner.execute(.nameOrID("text"), input: .object([:]), as: testOperator)
            #expect(text.record.status == .failed)
            #expect(text.record.error == "HTTP 200 with a body that is not JSON: not json")

            try await register("moved", port: port, path: "moved")
            let moved = try await runner.execute(.nameOrID("moved"), input: .object([:]), as: testOperator)
            #expect(moved.record.status == .failed)
            #expect(moved.record.httpStatus == 302)

            try await register("slow", port: port, path: "slow", timeout: 1)
            let slow = try await runner.execute(.nameOrID("slow"), input: .object([:]), as: testOperator)
            #expect(slow.record.status == .timedOut)

            // The timeout covers the body, not only the response head.
            try await register("dribble", port: port, path: "dribble", timeout: 1)
            let started = ContinuousClock.now
            let dribble = try await runner.execute(.nameOrID("dribble"), input: .object([:]), as: testOperator)
            #expect(dribble.record.status == .timedOut)
            #expect(ContinuousClock.now - started < .seconds(4))

            try await register("huge", port: port, path: "huge")
            let huge = try await runner.execute(.nameOrID("huge"), input: .object([:]), as: testOperator)
            #expect(huge.record.status == .failed)
            #expect(huge.record.error == "response body exceeded 1024 KiB")

            try await register("nosecret", port: port, path: "echo", headers: ["X-Key": "${MISSING_VAR}"])
            let missing = try await runner.execute(.nameOrID("nosecret"), input: .object([:]), as: testOperator)
            #expect(missing.record.status == .failed)
            #expect(missing.record.error == "header X-Key needs environment variable MISSING_VAR, which is not set")
        }
        // The stored tool keeps the template, never the secret.
        let stored = try await database.tools.get(.nameOrID("echo"), as: testOperator)
        #expect(
            stored.executor
                == .http(
                    HTTPEndpoint(
                        url: stored.executor.flatMap { if case .http(let h) = $0 { h.url } else { nil } } ?? "",
                        headers: ["Authorization": "Bearer ${API_TOKEN}"], timeoutSeconds: 10, allowPrivate: true)))
    }

    @Test func anUnreachableEndpointFails() async throws {
        try await register("down", port: 1, path: "x")
        let outcome = try await database.executor(environment: [:]).execute(.nameOrID("down"), input: .object([:]), as: testOperator)
        #expect(outcome.record.status == .failed)
        #expect(outcome.record.error?.hasPrefix("request failed: ") == true)
    }

    /// The review's finding: an HTTP executor could reach loopback (dryad's own server),
    /// link-local (cloud metadata) and private addresses. Without `allow_private` each is
    /// refused before a connection is made, also when a name resolves to one.
    @Test func privateAddressesAreRefusedUnlessTheToolAllowsThem() async throws {
        let router = Router()
        let hits = Counter()
        router.post("secret") { _, _ -> String in
            hits.increment()
            return #"{"admin":"token"}"#
        }
        let runner = database.executor(environment: [:])
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let port = try #require(client.port)
            let refusals = [
                ("127.0.0.1", "refused: 127.0.0.1 is a loopback address, which an HTTP executor reaches only with allow_private"),
                ("localhost", "refused: localhost (127.0.0.1) is a loopback address, which an HTTP executor reaches only with allow_private"),
                ("[::ffff:127.0.0.1]", "refused: ::ffff:127.0.0.1 is a loopback address, which an HTTP executor reaches only with allow_private"),
                ("169.254.169.254", "refused: 169.254.169.254 is a link-local address, which an HTTP executor reaches only with allow_private"),
                ("10.1.2.3", "refused: 10.1.2.3 is a private address, which an HTTP executor reaches only with allow_private"),
                ("[fd00::1]", "refused: fd00::1 is a private address, which an HTTP executor reaches only with allow_private"),
            ]
            for (index, (host, message)) in refusals.enumerated() {
                try await register("probe-\(index)", port: port, path: "secret", host: host, allowPrivate: false)
                let outcome = try await runner.execute(.nameOrID("probe-\(index)"), input: .object([:]), as: testOperator)
                #expect(outcome.record.status == .failed)
                #expect(outcome.record.error == "request failed: " + message)
            }
            #expect(hits.value == 0)
            try await register("allowed", port: port, path: "secret", host: "localhost", allowPrivate: true)
            #expect(try await runner.execute(.nameOrID("allowed"), input: .object([:]), as: testOperator).record.status == .succeeded)
            #expect(hits.value == 1)
        }
    }

    @Test func addressesAreClassifiedByTheSpecialPurposeRanges() {
        let expected: [String: String?] = [
            "127.0.0.1": "loopback", "127.255.0.9": "loopback", "::1": "loopback", "169.254.169.254": "link-local", "fe80::1": "link-local",
            "10.0.0.1": "private", "172.16.0.1": "private", "172.31.255.255": "private", "192.168.1.1": "private", "fc00::1": "private",
            "100.64.0.1": "shared (carrier-grade NAT)", "0.0.0.0": "unspecified", "::": "unspecified", "224.0.0.1": "multicast",
            "ff02::1": "multicast", "255.255.255.255": "reserved", "::ffff:10.0.0.1": "private", "64:ff9b::a9fe:a9fe": "link-local",
            "8.8.8.8": nil, "172.32.0.1": nil, "1.1.1.1": nil, "2606:4700:4700::1111": nil, "::ffff:8.8.8.8": nil,
        ]
        for (address, kind) in expected { #expect(PrivateAddress.kind(of: address) == kind, "\(address)") }
    }
}

/// Counts requests a test server received.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
