import AsyncHTTPClient
import DryadCore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The Streamable HTTP transport to an upstream server: each message is a POST; an answer
/// comes back as one JSON body or as a `text/event-stream` carrying it (and any notifications).
/// The session id from `initialize` and the agreed protocol version go on every later request.
///
/// One `HTTPClient` per server keeps its connections pooled across calls; it never follows a
/// redirect (one could carry the headers' secrets elsewhere) and connects to the address the
/// private-address check allowed, as an HTTP executor does.
final class MCPUpstreamHTTP: MCPUpstreamTransport {
    private let url: String
    private let headers: [(name: String, value: String)]
    private let client: HTTPClient
    private let session = Mutex<(id: String?, version: String?)>((nil, nil))
    /// The GET stream on which the server sends what answers no request (`tools/list_changed`).
    private let listening = Mutex<Task<Void, Never>?>(nil)

    /// The most bytes one answer (a JSON body or one event) may hold.
    static let maxMessageBytes = MCPMessage.maxBytes

    private init(url: String, headers: [(name: String, value: String)], client: HTTPClient) {
        self.url = url
        self.headers = headers
        self.client = client
    }

    static func connect(_ endpoint: HTTPEndpoint, environment: [String: String]) async throws(DryadError) -> MCPUpstreamHTTP {
        let headers = try endpoint.expandedHeaders(environment: environment)
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10))
        switch await endpoint.checkedAddress() {
        case .failure(let refusal): throw refusal
        case .success(let pin?): configuration.dnsOverride = [pin.host: pin.address]
        case .success(nil): break
        }
        return MCPUpstreamHTTP(url: endpoint.url, headers: headers, client: HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration))
    }

    func negotiated(_ version: String) async {
        session.withLock { $0.version = version }
    }

    /// Opens the GET stream (a server without one answers 405, which is fine); it is not
    /// reopened when it ends: calls still work, only the server's own notifications are missed.
    func opened(link: MCPUpstreamLink) async {
        let task = Task { [self] in
            var request = self.request(method: .GET)
            request.headers.replaceOrAdd(name: "Accept", value: "text/event-stream")
            guard let response = try? await client.execute(request, timeout: .hours(24 * 365)), response.status == .ok else { return }
            var events = EventStreamReader(limit: Self.maxMessageBytes)
            do {
                for try await chunk in response.body {
                    for data in try events.take(chunk.readableBytesView) {
                        if let message = try? JSONValue.parse(data) { await link.deliver(message) }
                    }
                }
            } catch {}
        }
        listening.withLock { $0 = task }
    }

    /// A request to the endpoint with the registered headers and the session's.
    private func request(method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let (id, version) = session.withLock { ($0.id, $0.version) }
        if let id { request.headers.replaceOrAdd(name: "Mcp-Session-Id", value: id) }
        if let version { request.headers.replaceOrAdd(name: "MCP-Protocol-Version", value: version) }
        return request
    }

    func send(_ message: JSONValue, link: MCPUpstreamLink?) async throws(DryadError) {
        var request = request(method: .POST)
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.headers.replaceOrAdd(name: "Accept", value: "application/json, text/event-stream")
        let id = session.withLock { $0.id }
        request.body = .bytes(ByteBuffer(bytes: MCPMessage.encode(message)))
        let response: HTTPClientResponse
        // A request's answer is bounded by the link's timer, which cancels this send; a
        // notification or an answer has no timer, so it gets a deadline of its own.
        let isRequest = if case .object(let fields) = message, fields["id"] != nil, fields["method"] != nil { true } else { false }
        do {
            response = try await client.execute(request, timeout: isRequest ? .hours(24) : .seconds(10))
        } catch {
            throw .toolFailed("request failed: \(Self.describe(error))")
        }
        if let given = response.headers.first(name: "Mcp-Session-Id") {
            session.withLock { if $0.id == nil { $0.id = given } }
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let body = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            if status == 404 && id != nil { await link?.close("its session ended (HTTP 404)") }
            throw .toolFailed("HTTP \(status)" + (body.isEmpty ? "" : ": \(String(body.prefix(300)))"))
        }
        guard let link else { return }
        let type = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
        do {
            if type.hasPrefix("text/event-stream") {
                var events = EventStreamReader(limit: Self.maxMessageBytes)
                for try await chunk in response.body {
                    for data in try events.take(chunk.readableBytesView) {
                        if let message = try? JSONValue.parse(data) { await link.deliver(message) }
                    }
                }
            } else if type.hasPrefix("application/json") {
                let body = try await response.body.collect(upTo: Self.maxMessageBytes)
                let value = try JSONValue.parse(Data(body.readableBytesView))
                if case .array(let batch) = value {
                    for message in batch { await link.deliver(message) }
                } else {
                    await link.deliver(value)
                }
            }
        } catch let error as DryadError {
            throw error
        } catch is NIOTooManyBytesError {
            throw .toolFailed("it sent a message larger than \(Self.maxMessageBytes / 1024 / 1024) MiB")
        } catch {
            throw .toolFailed("reading its answer failed: \(Self.describe(error))")
        }
    }

    func close() async {
        listening.withLock { $0?.cancel() }
        if session.withLock({ $0.id }) != nil {
            _ = try? await client.execute(request(method: .DELETE), timeout: .seconds(2))
        }
        try? await client.shutdown()
    }

    private static func describe(_ error: any Error) -> String {
        // The short form carries no header values, which may hold secrets.
        if let error = error as? HTTPClientError { return error.shortDescription }
        return String(String(describing: error).prefix(200))
    }
}

/// Splits a `text/event-stream` body into the data of its events (`data:` lines joined by
/// newlines, per the HTML standard); an event larger than `limit` is refused.
struct EventStreamReader {
    let limit: Int
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false

    init(limit: Int) {
        self.limit = limit
    }

    mutating func take(_ chunk: some Sequence<UInt8>) throws(DryadError) -> [Data] {
        var events: [Data] = []
        for byte in chunk {
            guard byte == 0x0A else {
                if byte != 0x0D { line.append(byte) }
                guard line.count + data.count <= limit else {
                    throw .toolFailed("it sent an event larger than \(limit / 1024 / 1024) MiB")
                }
                continue
            }
            if line.isEmpty {
                if hasData { events.append(Data(data)) }
                data.removeAll(keepingCapacity: true)
                hasData = false
            } else if line.starts(with: Array("data:".utf8)) {
                var value = line.dropFirst(5)
                if value.first == 0x20 { value = value.dropFirst() }
                if hasData { data.append(0x0A) }
                data.append(contentsOf: value)
                hasData = true
            }
            line.removeAll(keepingCapacity: true)
        }
        return events
    }
}
