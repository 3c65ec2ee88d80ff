import Crypto
import DryadCore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// What the hostile-input suites share: the operator, a tool definition, problem assertions,
/// encodings, and raw sockets for the connection tests.
enum HostileInput {
    static let root = Principal.localOperator(user: "tester")
    static let tool = #"{"name":"echo","description":"d","executor":{"kind":"command","argv":["/bin/cat"]}}"#

    /// Asserts a problem response: exact status, problem+json and the stable code.
    static func expectProblem(
        _ response: TestResponse, _ status: HTTPResponse.Status, _ code: String, _ comment: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, "\(comment): \(response.status) \(String(buffer: response.body).prefix(300))", sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/problem+json", "\(comment)", sourceLocation: sourceLocation)
        #expect(fields(response)["code"] as? String == code, "\(comment)", sourceLocation: sourceLocation)
    }

    /// The values of `key` in the items of a listing, fetched with `token`.
    static func listed(_ client: some TestClientProtocol, _ uri: String, _ token: String, key: String) async throws -> [String] {
        try await client.execute(uri: uri, method: .get, headers: headers(token)) { response in
            #expect(response.status == .ok, "\(uri)")
            return (fields(response)["items"] as? [[String: Any]] ?? []).compactMap { $0[key] as? String }
        }
    }

    /// A query-string value with everything but letters and digits percent-encoded.
    static func encoded(_ text: String) throws -> String {
        try #require(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
    }

    /// base64url without padding, as JWTs and cursors use it.
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of a base64url part of a JWT.
    static func decodeBase64URL(_ text: Substring) throws -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return try #require(Data(base64Encoded: base64))
    }

    /// Sends `head`, then one body byte per `interval` until the server closes; returns the body bytes sent.
    static func trickleUntilClosed(port: Int, head: String, every interval: Duration, forAtMost limit: Duration) throws -> Int {
        let fd = try connectLocally(port: port)
        defer { close(fd) }
        _ = Array(head.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let deadline = ContinuousClock.now + limit
        var sent = 0
        var byte: UInt8 = UInt8(ascii: " ")
        while ContinuousClock.now < deadline {
            var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&probe, 1, Int32(interval / .milliseconds(1))) > 0 {
                var buffer = [UInt8](repeating: 0, count: 512)
                if read(fd, &buffer, buffer.count) <= 0 { return sent }
            }
            guard send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { return sent }
            sent += 1
        }
        throw POSIXError(.ETIMEDOUT)
    }

    /// A blocking TCP socket connected to 127.0.0.1:`port`.
    static func connectLocally(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    /// Connects to 127.0.0.1:`port`, sends nothing and reads until the server closes; returns the bytes read.
    static func readUntilClosed(port: Int, waitingAtMost seconds: Int) throws -> Int {
        let fd = try connectLocally(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count == 0 { return total }
            guard count > 0 else { throw POSIXError(.ETIMEDOUT) }
            total += count
        }
    }
}
