import DryadCore
import Foundation

/// dryad's client side of one upstream MCP server: numbers requests, matches answers to them,
/// enforces each request's timeout (a request that times out or whose caller goes away is
/// cancelled upstream), answers the server's pings and passes on `tools/list_changed`.
///
/// The transport (stdio or Streamable HTTP) only moves messages; when it ends, every request
/// still waiting fails with its reason and the link stays closed (the pool makes a new one).
actor MCPUpstreamLink {
    /// How one request ended.
    enum Ending: Sendable {
        case result(JSONValue)
        /// A JSON-RPC error: the server refused the request.
        case refused(code: Int64, message: String)
        case timedOut
        case cancelled
        case failed(String)
    }

    let server: String
    private var transport: (any MCPUpstreamTransport)?
    private var pending: [Int64: CheckedContinuation<Ending, Never>] = [:]
    private var timers: [Int64: Task<Void, Never>] = [:]
    private var senders: [Int64: Task<Void, Never>] = [:]
    private var nextID: Int64 = 1
    /// Why the link closed; nil while it is open.
    private(set) var closedReason: String?
    /// What the server said of itself at `initialize`.
    private(set) var serverInfo: JSONValue?
    /// Whether `initialize` succeeded: from then on the server has seen callers' arguments.
    private(set) var isOpen = false
    private let toolsChanged: @Sendable () -> Void

    init(server: String, toolsChanged: @escaping @Sendable () -> Void) {
        self.server = server
        self.toolsChanged = toolsChanged
    }

    /// Connects the transport and performs MCP's `initialize` handshake within `timeout`.
    func open(_ transport: any MCPUpstreamTransport, timeout: Duration) async throws(DryadError) {
        self.transport = transport
        let params: JSONValue = .object([
            "protocolVersion": .string(MCPRevision.newest.rawValue),
            "capabilities": .object([:]),
            "clientInfo": .object(["name": .string("dryad"), "version": .string(DryadVersion.current)]),
        ])
        switch await request("initialize", params, timeout: timeout) {
        case .result(let result):
            guard case .object(let fields) = result, case .string(let version)? = fields["protocolVersion"],
                MCPRevision(rawValue: version) != nil
            else {
                await close("it answered initialize with no protocol version dryad speaks")
                throw .toolFailed("it answered initialize with no protocol version dryad speaks")
            }
            serverInfo = fields["serverInfo"]
            await transport.negotiated(version)
            // Bounded: a stdio write and an HTTP notification each have a deadline of their own.
            try? await transport.send(MCPMessage.notification("notifications/initialized", .object([:])), link: self)
            isOpen = true
            await transport.opened(link: self)
        case .refused(_, let message):
            await close("initialize refused: \(message)")
            throw .toolFailed("initialize refused: \(message)")
        case .timedOut:
            await close("no answer to initialize")
            throw .toolFailed("no answer to initialize within \(timeout)")
        case .cancelled:
            await close("cancelled")
            throw .toolFailed("cancelled while connecting")
        case .failed(let reason):
            await close(reason)
            throw .toolFailed(reason)
        }
    }

    /// Sends a request and waits for its answer, at most `timeout`.
    func request(_ method: String, _ params: JSONValue, timeout: Duration) async -> Ending {
        if let closedReason { return .failed(closedReason) }
        guard let transport else { return .failed("not connected") }
        let id = nextID
        nextID += 1
        let message: JSONValue = .object(["jsonrpc": .string("2.0"), "id": .integer(id), "method": .string(method), "params": params])
        let ending = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Ending, Never>) in
                guard !Task.isCancelled else { return continuation.resume(returning: Ending.cancelled) }
                pending[id] = continuation
                timers[id] = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { await self?.finish(id, .timedOut) }
                }
                senders[id] = Task { [weak self] in
                    do throws(DryadError) {
                        try await transport.send(message, link: self)
                    } catch {
                        await self?.finish(id, .failed(error.message))
                    }
                }
            }
        } onCancel: {
            Task { await self.finish(id, .cancelled) }
        }
        switch ending {
        case .timedOut, .cancelled:
            // Sent on its own: the caller's run ends now, whether or not the server takes it.
            let reason = if case .timedOut = ending { "timed out" } else { "cancelled by dryad's caller" }
            let cancel = MCPMessage.notification("notifications/cancelled", .object(["requestId": .integer(id), "reason": .string(reason)]))
            Task { try? await transport.send(cancel, link: nil) }
        default: break
        }
        return ending
    }

    /// Ends the request `id` (once: later endings are dropped).
    private func finish(_ id: Int64, _ ending: Ending) {
        timers.removeValue(forKey: id)?.cancel()
        let sender = senders.removeValue(forKey: id)
        guard let continuation = pending.removeValue(forKey: id) else { return }
        // A sender still reading an HTTP stream for a request that ended is not needed.
        if case .result = ending {} else if case .refused = ending {} else { sender?.cancel() }
        continuation.resume(returning: ending)
    }

    /// Takes one message the transport received.
    func deliver(_ message: JSONValue) async {
        guard case .object(let fields) = message else { return }
        if let method = fields["method"], case .string(let name) = method {
            if let id = fields["id"] {
                // A server request: dryad answers ping and offers nothing else to servers.
                let answer: JSONValue =
                    name == "ping"
                    ? MCPMessage.result(id: id, .object([:]))
                    : MCPFailure(code: .methodNotFound, message: "dryad does not offer \(name) to servers", id: id).json
                // Not awaited: the reader of the server's output must never wait on a write to it.
                let transport = self.transport
                Task { try? await transport?.send(answer, link: nil) }
            } else if name == "notifications/tools/list_changed" {
                toolsChanged()
            }
            return
        }
        guard case .integer(let id)? = fields["id"] else { return }
        if case .object(let error)? = fields["error"] {
            let code = if case .integer(let code)? = error["code"] { code } else { Int64(MCPFailure.Code.internalError.rawValue) }
            let text = if case .string(let text)? = error["message"] { text } else { "no message" }
            finish(id, .refused(code: code, message: text))
        } else {
            finish(id, .result(fields["result"] ?? .null))
        }
    }

    /// Closes the link: every waiting request fails with `reason`, later ones at once; returns
    /// when the transport has ended (its program stopped and reaped, its HTTP session ended).
    func close(_ reason: String) async {
        guard closedReason == nil else { return }
        closedReason = reason
        for id in Array(pending.keys) { finish(id, .failed(reason)) }
        await transport?.close()
    }

    var isClosed: Bool { closedReason != nil }
}

/// Moves messages between dryad and one upstream server; `MCPUpstreamLink` does the rest.
protocol MCPUpstreamTransport: Sendable {
    /// Sends one message. Messages that come back (over HTTP, in the answer to this one) go to
    /// `link`; a failure to send throws.
    func send(_ message: JSONValue, link: MCPUpstreamLink?) async throws(DryadError)
    /// The protocol version `initialize` agreed on (HTTP sends it on every request).
    func negotiated(_ version: String) async
    /// The session is open: an HTTP transport starts listening for the server's own messages.
    func opened(link: MCPUpstreamLink) async
    /// Ends the transport: stops the process, or ends the HTTP session.
    func close() async
}
