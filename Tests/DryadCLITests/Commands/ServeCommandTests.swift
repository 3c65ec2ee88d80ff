import Foundation
import Glibc
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A live `dryad serve` on a free loopback port, with the CLI writing to the same file.
@Suite struct ServeCommandTests {
    let cli: CLIHarness

    init() throws { cli = try CLIHarness() }

    @Test func theServerAndTheCLIShareOneDatabase() async throws {
        #expect(try cli.run(["principals", "add", "ops", "--type", "service", "--role", "admin"]).status == 0)
        let token = try cli.run(["tokens", "issue", "ops"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let (server, address) = try cli.startServer(["serve", "--port", "0", "--db", cli.databasePath])
        defer { if server.isRunning { server.terminate() } }
        #expect(address.hasPrefix("http://127.0.0.1:"))

        func get(_ path: String) async throws -> (Int, Data) {
            var request = URLRequest(url: try #require(URL(string: address + path)))
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        }

        // CLI writes while the server reads the same file.
        async let writes: [Int32] = Task.detached {
            try (0..<10).map { i in try cli.run(["tools", "register", "t\(i)", "--description", "d", "--db", cli.databasePath]).status }
        }.value
        var statuses: [Int] = []
        for _ in 0..<20 { statuses.append(try await get("/api/v1/tools").0) }
        #expect(try await writes.allSatisfy { $0 == 0 })
        #expect(statuses.allSatisfy { $0 == 200 })
        let (status, data) = try await get("/api/v1/tools?limit=100")
        #expect(status == 200)
        let page = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((page["items"] as? [Any])?.count == 10)

        // SIGTERM: graceful stop, exit 0.
        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
    }

    /// With `--log-format json` every line on stderr is a JSON access-log record (no framework chatter).
    @Test func jsonLogsAreOnlyJSONLines() async throws {
        let log = cli.folder + "/serve.log"
        let (server, address) = try cli.startServer(["serve", "--port", "0", "--db", cli.databasePath, "--log-format", "json"], stderrPath: log)
        defer { if server.isRunning { server.terminate() } }
        for path in ["/healthz", "/api/v1/tools"] {
            _ = try await URLSession.shared.data(from: try #require(URL(string: address + path)))
        }
        server.terminate()
        server.waitUntilExit()
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines {
            let record = try? json(String(line))
            #expect(record?["status"] is Int, "not an access-log record: \(line)")
        }
    }

    /// Beyond `--max-connections` the server stops accepting; a waiting client is served once a
    /// slot frees. (HummingbirdTesting's live server drops this setting, so it is tested here.)
    @Test func connectionsBeyondTheLimitWait() async throws {
        let (server, address) = try cli.startServer(["serve", "--port", "0", "--db", cli.databasePath, "--max-connections", "2"])
        defer { if server.isRunning { server.terminate() } }
        let port = try #require(Int(address.split(separator: ":").last ?? ""))
        let request = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        // Each held connection is answered once (and kept alive), so the server has accepted
        // both before the third arrives: a fixed sleep let a loaded machine accept the third
        // before the first two.
        let held = [try Self.connect(port: port), try Self.connect(port: port)]
        for fd in held {
            #expect(request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == request.count)
            var answered = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            try #require(poll(&answered, 1, 10_000) == 1, "a held connection was not answered")
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = read(fd, &buffer, buffer.count)
            #expect(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        }
        let waiting = try Self.connect(port: port)
        defer { close(waiting) }
        #expect(request.withUnsafeBytes { send(waiting, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == request.count)
        var probe = pollfd(fd: waiting, events: Int16(POLLIN), revents: 0)
        #expect(poll(&probe, 1, 700) == 0, "no answer while two connections are open")
        close(held[0])
        probe.revents = 0
        #expect(poll(&probe, 1, 5000) == 1, "answered once one closed")
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(waiting, &buffer, buffer.count)
        #expect(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        close(held[1])
    }

    /// Start-up failures are sentences naming the address, with their documented exit codes.
    @Test func startUpFailuresAreSentences() throws {
        let range = try cli.run(["serve", "--port", "99999"])
        #expect(range.status == 64)
        #expect(range.stderr.hasPrefix("dryad: error: --port 99999: a port is 1-65535 (or 0 for any free one)"), "\(range.stderr)")

        let host = try cli.run(["serve", "--host", "no such host.invalid", "--port", "0"])
        #expect(host.status == 65)
        #expect(host.stderr == "dryad: error: host no such host.invalid: not an address, nor a name this machine can resolve\n", "\(host.stderr)")

        // A port another socket listens on.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let taken = try cli.run(["serve", "--port", String(port)])
        #expect(taken.status == 75)
        #expect(taken.stderr == "dryad: error: cannot listen on 127.0.0.1:\(port): another process is listening there\n", "\(taken.stderr)")
    }

    /// A blocking TCP socket connected to 127.0.0.1:`port`.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    /// A live server keys failed token checks by the client's address and writes their audit
    /// entries through its batches: 20 audited 401s from 127.0.0.1, then 429s; every 401 is on disk after a stop.
    @Test func badTokensAreAuditedInBatchesThenCutOffPerAddress() async throws {
        let (server, address) = try cli.startServer(["serve", "--port", "0", "--db", cli.databasePath])
        defer { if server.isRunning { server.terminate() } }
        // curl, one request after another within a second or two (refill is one a second).
        let statuses = try cli.run(
            shell: "for i in $(seq 25); do curl -s -o /dev/null -w '%{http_code} ' -H \"Authorization: Bearer not.a.token$i\" \(address)/api/v1/tools; done"
        ).stdout.split(separator: " ").map(String.init)
        // The first 20 are audited 401s; a slow machine may refill a token or two before the end.
        let audited = statuses.filter { $0 == "401" }.count
        #expect(statuses.count == 25 && statuses.prefix(20).allSatisfy { $0 == "401" }, "\(statuses)")
        #expect(statuses.suffix(5).contains("429"), "\(statuses)")
        server.terminate()
        server.waitUntilExit()
        let denials = try cli.run(["audit", "list", "--action", "auth.token", "--limit", "100", "-o", "jsonl"])
        #expect(denials.stdout.split(separator: "\n").count == audited, "\(denials.stderr)")
        #expect(try cli.run(["audit", "verify"]).status == 0)
    }

    @Test func servesHTTPSWithAGivenCertificate() throws {
        let certificate = cli.folder + "/cert.pem", key = cli.folder + "/key.pem"
        let openssl = try CLIHarness.runProgram(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-days", "1", "-keyout", key, "-out", certificate,
            ])
        #expect(openssl == 0)
        let (server, address) = try cli.startServer(["serve", "--port", "0", "--db", cli.databasePath, "--tls-cert", certificate, "--tls-key", key])
        defer { if server.isRunning { server.terminate() } }
        #expect(address.hasPrefix("https://127.0.0.1:"))
        func curl(_ options: [String]) throws -> (status: Int32, body: String) {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-s", "--cacert", certificate] + options + [address + "/healthz"]
            let body = Pipe()
            curl.standardOutput = body
            try curl.run()
            let answer = body.fileHandleForReading.readDataToEndOfFile()
            curl.waitUntilExit()
            return (curl.terminationStatus, String(decoding: answer, as: UTF8.self))
        }
        #expect(try curl([]).body == "ok\n")
        #expect(try curl(["--tlsv1.2", "--tls-max", "1.2"]).body == "ok\n")
        // The review's downgrade: a client offering at most TLS 1.1 (security level 0, so the
        // client's own OpenSSL would allow it) is refused in the handshake (curl exit 35).
        for version in ["1.0", "1.1"] {
            #expect(try curl(["--tlsv\(version)", "--tls-max", version, "--ciphers", "DEFAULT@SECLEVEL=0"]) == (35, ""))
        }
        #expect(try cli.run(["serve", "--tls-cert", certificate]).status == 64)
        #expect(try cli.run(["serve", "--port", "0", "--tls-cert", "/nope", "--tls-key", "/nope"]).status == 65)
    }
}
