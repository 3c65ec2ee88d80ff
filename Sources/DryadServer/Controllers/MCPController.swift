import DryadCore
import DryadMCP
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `/mcp`: MCP's Streamable HTTP transport over the same tokens, rate limits, request ids,
/// access log and metrics as `/api/v1`. Protocol in, one session call, protocol out.
///
/// `POST` carries one message: `initialize` opens a session (its id in `Mcp-Session-Id`,
/// bound to the token's principal); a request is answered as JSON, or as an event stream when
/// the client accepts one and the call may report progress. `GET` opens the session's stream
/// of notifications (list changes, resource updates); `DELETE` ends the session.
struct MCPController: Sendable {
    let database: DryadDatabase
    let environment: [String: String]
    /// Reaches the tools of upstream MCP servers, shared by every session.
    let upstream: (any UpstreamClient)?
    /// The address `serve` listens on (`--host`), an origin allowed besides loopback.
    let serverHost: String
    let sessions = MCPSessions()
    let listeners = ConcurrencyCounter(limit: maxListensPerPrincipal)
    /// Open `subscriptions/listen` streams per principal, at most.
    static let maxListensPerPrincipal = 16
    static let sessionHeader = HTTPField.Name("Mcp-Session-Id")!
    static let protocolHeader = HTTPField.Name("MCP-Protocol-Version")!
    /// How often an open event stream gets a comment line, so idle-connection timeouts
    /// (the server's own is 60 s) and proxies leave it open.
    static let keepAlive: Duration = .seconds(15)

    func addRoutes(to group: RouterGroup<DryadContext>) {
        group.post(use: self.post)
        group.get(use: self.stream)
        group.delete(use: self.end)
    }

    /// One message from the client.
    @Sendable func post(_ request: Request, context: DryadContext) async throws -> Response {
        try checkOrigin(request)
        let actor = try context.actor()
        let type = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard type == "application/json" else {
            throw Problem(status: .unsupportedMediaType, code: "unsupported_media_type", detail: "expected Content-Type application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: MCPMessage.maxBytes)
        } catch {
            throw Problem(status: .contentTooLarge, code: "too_large", detail: "an MCP message is at most \(MCPMessage.maxBytes) bytes")
        }
        let message: MCPMessage
        switch MCPMessage.parse(Data(buffer.readableBytesView)) {
        case .success(let parsed): message = parsed
        case .failure(let failure): return Self.json(failure.json, status: .badRequest)
        }
        if case .request(let id, "initialize", _) = message {
            return try await open(message, id: id, request: request, context: context, actor: actor)
        }
        let session: MCPSession
        let stateless = request.headers[Self.sessionHeader] == nil && Self.isStateless(message, request)
        if stateless {
            // 2026-07-28: each request stands alone, served by a session that lives as long as it.
            session = MCPSession(database: database, principal: actor, settings: try Self.settings(request), environment: environment, upstream: upstream)
        } else {
            session = try self.session(for: request, actor: actor, answering: message)
        }
        guard case .request(_, let method, _) = message else {
            _ = await session.receive(message, as: actor, requestID: context.requestID)
            return Response(status: .accepted)
        }
        let streams = request.headers[.accept]?.contains("text/event-stream") ?? false
        if method == "subscriptions/listen" {
            // A subscription lasts until the client closes it, which only a stream lets it see.
            guard streams else {
                throw Problem(status: .notAcceptable, code: "not_acceptable", detail: "subscriptions/listen is answered as text/event-stream")
            }
            guard listeners.enter(actor.name) else {
                throw Problem(
                    status: .tooManyRequests, code: "rate_limited",
                    detail: "too many open subscriptions (at most \(MCPController.maxListensPerPrincipal) per principal)",
                    headers: [.retryAfter: "60"])
            }
        }
        guard streams && (method == "tools/call" || method == "subscriptions/listen") else {
            let answer = await session.receive(message, as: actor, requestID: context.requestID) ?? Self.cancelled(message)
            return Self.json(answer, status: stateless ? Self.status(of: answer) : .ok)
        }
        // A call may last, a subscription does: what the request reports goes on its own stream,
        // then its answer. A comment every half second finds a client that went away, whose request
        // (and the run it started) is then cancelled: the stateless revision cancels by closing.
        // Bounded: a client that stops reading loses old progress and heartbeats, never the
        // answer (the newest event).
        let (events, feed) = AsyncStream<JSONValue>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let call = Task {
            let answer = await session.receive(message, as: actor, requestID: context.requestID) { feed.yield($0) }
            if let answer { feed.yield(answer) }
            feed.finish()
        }
        let heartbeat = Self.heartbeat(into: feed, every: .milliseconds(500))
        let listeners = method == "subscriptions/listen" ? self.listeners : nil
        let name = actor.name
        return Self.eventStream { writer in
            defer {
                heartbeat.cancel()
                listeners?.leave(name)
            }
            do {
                try await withGracefulShutdownHandler {
                    for await event in events { try await writer.write(Self.event(event)) }
                } onGracefulShutdown: {
                    call.cancel()
                }
            } catch {
                call.cancel()  // the client went away: end the run it asked for
                throw error
            }
        }
    }

    /// Whether a message without a session belongs to the stateless revision: its header or
    /// `_meta` names it, or it is its discovery request.
    private static func isStateless(_ message: MCPMessage, _ request: Request) -> Bool {
        if request.headers[protocolHeader] == MCPRevision.v2026_07_28.rawValue { return true }
        guard case .request(_, let method, let params) = message else { return false }
        return method == "server/discover" || params.objectValue?["_meta"]?.objectValue?[MCPRevision.metaKey] != nil
    }

    /// The HTTP status of an answer: 400 for a revision the server does not speak, 404 for an
    /// unknown method (as the stateless revision asks), 200 for the rest (JSON-RPC's own errors).
    private static func status(of answer: JSONValue) -> HTTPResponse.Status {
        switch answer.objectValue?["error"]?.objectValue?["code"] {
        case .integer(MCPFailure.Code.unsupportedVersion.rawValue)?: .badRequest
        case .integer(MCPFailure.Code.methodNotFound.rawValue)?: .notFound
        default: .ok
        }
    }

    /// The session settings a request's query gives (`context`, `tag`, `search_only`).
    private static func settings(_ request: Request) throws -> MCPSettings {
        let query = Query(request: request)
        return MCPSettings(contextID: query.string("context"), tags: query.strings("tag"), searchOnly: try query.bool("search_only"))
    }

    /// Puts `.null` (written as a comment line) into an event feed every `interval`.
    private static func heartbeat(into feed: AsyncStream<JSONValue>.Continuation, every interval: Duration) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                feed.yield(.null)
            }
        }
    }

    /// Opens a session for the token's principal with the query's settings.
    private func open(_ message: MCPMessage, id: JSONValue, request: Request, context: DryadContext, actor: Principal) async throws -> Response {
        let session = MCPSession(database: database, principal: actor, settings: try Self.settings(request), environment: environment, upstream: upstream)
        let answer = await session.receive(message, as: actor, requestID: context.requestID) ?? Self.cancelled(message)
        guard sessions.add(session) else {
            throw Problem(
                status: .tooManyRequests, code: "rate_limited",
                detail: "too many open MCP sessions (at most \(MCPSessions.maxPerPrincipal) per principal); end one with DELETE",
                headers: [.retryAfter: "60"])
        }
        var response = Self.json(answer)
        response.headers[Self.sessionHeader] = session.id
        return response
    }

    /// The stream of messages that answer no request. A newer stream of the same session
    /// replaces an older one (a client reconnecting before the server noticed the old one died).
    @Sendable func stream(_ request: Request, context: DryadContext) async throws -> Response {
        try checkOrigin(request)
        let session = try self.session(for: request, actor: try context.actor(), answering: nil)
        guard request.headers[.accept]?.contains("text/event-stream") ?? false else {
            throw Problem(status: .notAcceptable, code: "not_acceptable", detail: "the session stream is text/event-stream")
        }
        let sessions = self.sessions
        // Everything starts inside the body, so a HEAD (which discards the body) starts nothing.
        return Self.eventStream { writer in
            let (events, feed) = AsyncStream<JSONValue>.makeStream(bufferingPolicy: .bufferingNewest(256))
            let owner = UUID().uuidString
            // Cancelled when the session ends (DELETE, idle) or a newer stream replaces this one.
            let watcher = Task {
                await session.setOutbox(owner: owner) { feed.yield($0) }
                await session.watch()
                feed.finish()
            }
            sessions.attach(session.id, stream: watcher)
            // Keep-alive comments go through the same feed as messages: one writer.
            let ticks = Self.heartbeat(into: feed, every: Self.keepAlive)
            defer {
                watcher.cancel()
                ticks.cancel()
                sessions.detach(session.id, stream: watcher)
                Task { await session.clearOutbox(owner: owner) }
            }
            // A server shutting down ends its open streams instead of waiting for them.
            try await withGracefulShutdownHandler {
                for await event in events {
                    try await writer.write(Self.event(event))
                }
            } onGracefulShutdown: {
                feed.finish()
            }
        }
    }

    /// Ends a session.
    @Sendable func end(_ request: Request, context: DryadContext) async throws -> Response {
        try checkOrigin(request)
        let session = try self.session(for: request, actor: try context.actor(), answering: nil)
        sessions.remove(session.id)
        return Response(status: .noContent)
    }

    /// The session a request names: 400 without the header, 404 for an unknown or ended one,
    /// 403 when another principal's token is used on it.
    private func session(for request: Request, actor: Principal, answering message: MCPMessage?) throws -> MCPSession {
        guard let id = request.headers[Self.sessionHeader] else {
            throw Problem(status: .badRequest, code: "invalid_input", detail: "Mcp-Session-Id: required (send initialize first)")
        }
        guard let session = sessions.session(id) else {
            throw Problem(status: .notFound, code: "not_found", detail: "MCP session \(id) not found (it ended); initialize a new one")
        }
        guard session.principal.name == actor.name else {
            throw Problem(status: .forbidden, code: "permission_denied", detail: "MCP session \(id) belongs to another principal")
        }
        sessions.touch(id)
        return session
    }

    /// Refuses a browser page from another site (DNS rebinding): an `Origin`, when sent, must
    /// be a loopback address or the host the server was told to listen on. The request's own
    /// `Host` proves nothing: a rebound name sends a matching one. Clients that are not
    /// browsers send no `Origin`.
    func checkOrigin(_ request: Request) throws {
        guard let origin = request.headers[.origin] else { return }
        let host = URL(string: origin)?.host?.lowercased() ?? ""
        let allowed: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]", serverHost.lowercased()]
        guard !host.isEmpty, allowed.contains(host), !["0.0.0.0", "::"].contains(host) else {
            throw Problem(status: .forbidden, code: "permission_denied", detail: "Origin \(origin) may not use this server's MCP endpoint")
        }
    }

    /// The error for a request whose answer was cancelled before it was ready.
    private static func cancelled(_ message: MCPMessage) -> JSONValue {
        let id: JSONValue? = if case .request(let id, _, _) = message { id } else { nil }
        return MCPFailure(code: .invalidRequest, message: "the request was cancelled", id: id).json
    }

    private static func json(_ message: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: MCPMessage.encode(message))))
    }

    /// One event of a stream; `.null` is a comment line (a heartbeat), which clients skip.
    private static func event(_ message: JSONValue) -> ByteBuffer {
        if message == .null { return ByteBuffer(string: ": keep-alive\n\n") }
        var buffer = ByteBuffer(string: "event: message\ndata: ")
        buffer.writeBytes(MCPMessage.encode(message))
        buffer.writeString("\n\n")
        return buffer
    }

    private static func eventStream(_ body: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                var writer = writer as any ResponseBodyWriter
                try await body(&writer)
                try await writer.finish(nil)
            })
    }
}
