import Crypto
import DryadCore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// Hostile headers and connections: request ids, authorization headers, storage failures, idle, trickling and pipelined connections, connection limits.
@Suite struct HostileConnectionTests {
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
        let recorded = try await fixture.database.audit.list(AuditQuery(action: "tools.list"), as: HostileInput.root).items.compactMap(\.requestID)
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
                        HostileInput.expectProblem(response, .unauthorized, "permission_denied", String(value.prefix(30)))
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    }
                }
            }
            // Two Authorization fields, each valid on its own, are one combined (invalid) credential.
            var two = HTTPFields()
            two.append(HTTPField(name: .authorization, value: "Bearer \(fixture.admin)"))
            two.append(HTTPField(name: .authorization, value: "Bearer \(fixture.agent)"))
            try await client.execute(uri: "/api/v1/tools", method: .get, headers: two) { response in
                HostileInput.expectProblem(response, .unauthorized, "permission_denied", "two Authorization fields")
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
            try await client.execute(uri: "/api/v1/tools", method: .post, headers: headers(fixture.admin), body: body(HostileInput.tool)) { response in
                HostileInput.expectProblem(response, .internalServerError, "storage_error", "broken trigger")
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
            let received = try HostileInput.readUntilClosed(port: port, waitingAtMost: 10)
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
            let sent = try HostileInput.trickleUntilClosed(port: port, head: head, every: .milliseconds(100), forAtMost: .seconds(10))
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
            let fd = try HostileInput.connectLocally(port: port)
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
}
