import DryadCore
import Foundation

/// One MCP session: the protocol's lifecycle and dispatch for one principal, over any transport.
///
/// Front ends (stdio, `/mcp`) hand it each message and send back what it answers; every
/// method it serves is one core call made as `principal`, so permissions, audit, validation and
/// limits are the ones the CLI and REST API apply. Requests run concurrently, each in its own
/// task, so `notifications/cancelled` can end one (and the tool run it started).
public actor MCPSession {
    nonisolated public let id: String
    nonisolated public let principal: Principal
    nonisolated public let settings: MCPSettings
    let database: DryadDatabase
    let runner: ToolRunner
    /// The revision agreed at `initialize`; nil before it.
    public private(set) var revision: MCPRevision?
    /// Requests being answered, by id, so a cancellation can reach them.
    private var running: [JSONValue: Task<JSONValue?, Never>] = [:]
    /// The contexts the client subscribed to (`resources/subscribe`) and the marks last seen.
    var feed = MCPChangeFeed()
    /// Tool names `search_tools` found, listed in search-only mode, in the order found.
    var found: [String] = []
    /// Sends a message that answers no request (list changes, resource updates); nil while the
    /// transport has no channel for them (an HTTP session without its GET stream).
    private var outbox: (owner: String, send: @Sendable (JSONValue) async -> Void)?
    /// Run before each request when set (`reauthenticate(with:)`).
    private var reauthentication: (@Sendable () async throws(DryadError) -> Principal)?

    /// `upstream` reaches the tools of upstream MCP servers (the gateway); without it their runs fail.
    public init(
        database: DryadDatabase, principal: Principal, settings: MCPSettings, environment: [String: String], upstream: (any UpstreamClient)? = nil
    ) {
        self.id = UUID().uuidString.lowercased()
        self.principal = principal
        self.settings = settings
        self.database = database
        self.runner = database.executor(environment: environment, upstream: upstream)
    }

    /// Where messages that answer no request go from now on, for the channel named `owner`
    /// (an HTTP session's newest GET stream replaces the one before it).
    public func setOutbox(owner: String, _ send: @escaping @Sendable (JSONValue) async -> Void) {
        outbox = (owner, send)
    }

    /// Stops sending to `owner`'s channel, unless another channel has taken its place.
    public func clearOutbox(owner: String) {
        if outbox?.owner == owner { outbox = nil }
    }

    /// Checks, before each request, that the principal may still act (a revoked token or a
    /// disabled principal ends a long-lived stdio session's use) and gives its current role.
    public func reauthenticate(with check: @escaping @Sendable () async throws(DryadError) -> Principal) {
        reauthentication = check
    }

    /// Handles one message and returns the answer to send: nil for notifications, answers from
    /// the client, and requests cancelled before they finished (the protocol sends nothing
    /// then). `acting` is the principal as the transport authenticated this very request (an
    /// HTTP request's token); `related` carries messages about this request (progress).
    public func receive(
        _ message: MCPMessage, as acting: Principal? = nil, requestID: String? = nil,
        related: @escaping @Sendable (JSONValue) async -> Void = { _ in }
    ) async -> JSONValue? {
        guard let task = start(message, as: acting, requestID: requestID, related: related) else { return nil }
        // A caller that goes away (a closed event stream) cancels the request too.
        return await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Takes one message in the order it arrived: a notification is acted on now, a request is
    /// registered (so a cancellation read right after it finds it) and its answer's task
    /// returned; nil when there is nothing to wait for.
    public func start(
        _ message: MCPMessage, as acting: Principal? = nil, requestID: String? = nil,
        related: @escaping @Sendable (JSONValue) async -> Void = { _ in }
    ) -> Task<JSONValue?, Never>? {
        switch message {
        case .response:
            return nil
        case .notification(let method, let params):
            if method == "notifications/cancelled", case .object(let fields) = params, let target = fields["requestId"] {
                running[target]?.cancel()
            }
            return nil
        case .request(let id, let method, let params):
            guard running[id] == nil else {
                let answer = MCPFailure(code: .invalidRequest, message: "request id \(id.canonicalText) is already in use", id: id).json
                return Task { answer }
            }
            var who = acting ?? principal
            who.requestID = requestID ?? UUID().uuidString.lowercased()
            let task = Task { [who] in
                let answer = await self.answer(id: id, method: method, params: params, as: who, related: related)
                self.finished(id)
                return answer
            }
            running[id] = task
            return task
        }
    }

    private func finished(_ id: JSONValue) {
        running[id] = nil
    }

    /// The answer to one request, or nil when it was cancelled.
    private func answer(
        id: JSONValue, method: String, params: JSONValue, as acting: Principal, related: @escaping @Sendable (JSONValue) async -> Void
    ) async -> JSONValue? {
        var acting = acting
        if let reauthentication {
            do {
                let current = try await reauthentication()
                acting = Principal(name: current.name, kind: current.kind, role: current.role, requestID: acting.requestID, rateLimit: current.rateLimit)
            } catch {
                return MCPFailure(error, id: id).json
            }
        }
        do {
            let result = try await dispatch(id: id, method, params: params, as: acting, related: related)
            if Task.isCancelled { return nil }
            return MCPMessage.result(id: id, result)
        } catch {
            if Task.isCancelled { return nil }
            var failure = error
            failure.id = id
            return failure.json
        }
    }

    /// Serves one request in the revision it names (stateless) or the session agreed on.
    private func dispatch(
        id: JSONValue, _ method: String, params: JSONValue, as acting: Principal, related: @escaping @Sendable (JSONValue) async -> Void
    ) async throws(MCPFailure) -> JSONValue {
        let fields = params.objectValue ?? [:]
        let revision: MCPRevision
        if let stated = try Self.statedRevision(fields) ?? (method == "server/discover" ? .v2026_07_28 : nil) {
            revision = stated
        } else {
            if method == "initialize" { return initialize(fields) }
            if method == "ping" { return .object([:]) }
            guard let agreed = self.revision else {
                throw MCPFailure(code: .invalidRequest, message: "the session is not initialized: send initialize first")
            }
            revision = agreed
        }
        let result = try await serve(id: id, method, fields, revision: revision, as: acting, related: related)
        return revision.isStateless ? Self.stateless(result, method: method) : result
    }

    private func serve(
        id: JSONValue, _ method: String, _ fields: [String: JSONValue], revision: MCPRevision, as acting: Principal,
        related: @escaping @Sendable (JSONValue) async -> Void
    ) async throws(MCPFailure) -> JSONValue {
        switch (method, revision.isStateless) {
        case ("tools/list", _): return try await listTools(cursor: try Self.cursor(fields), as: acting)
        case ("tools/call", _): return try await callTool(fields, revision: revision, as: acting, related: related)
        case ("resources/list", _): return try await listResources(cursor: try Self.cursor(fields), as: acting)
        case ("resources/templates/list", _): return Self.resourceTemplates
        case ("resources/read", _): return try await readResource(try Self.uri(fields), as: acting)
        case ("ping", _): return .object([:])
        case ("resources/subscribe", false): return try await subscribe(try Self.uri(fields), as: acting)
        case ("resources/unsubscribe", false): return unsubscribe(try Self.uri(fields))
        case ("server/discover", true): return discover()
        case ("subscriptions/listen", true): return try await listen(id: id, fields, as: acting, related: related)
        default: throw MCPFailure(code: .methodNotFound, message: "method not found: \(method)")
        }
    }

    /// The revision a stateless request names in `_meta`; nil for a request of the session's.
    private static func statedRevision(_ fields: [String: JSONValue]) throws(MCPFailure) -> MCPRevision? {
        guard let stated = fields["_meta"]?.objectValue?[MCPRevision.metaKey] else { return nil }
        guard case .string(let name) = stated, let revision = MCPRevision(rawValue: name), revision.isStateless else {
            throw MCPFailure(
                code: .unsupportedVersion, message: "unsupported protocol version \(stated.stringValue ?? stated.canonicalText)",
                data: ["requested": stated, "supported": .array(MCPRevision.allCases.filter(\.isStateless).map { .string($0.rawValue) })])
        }
        return revision
    }

    /// What every stateless result carries: its `resultType`, and for results a client may
    /// cache, how long and for whom (never across principals: each answer is the caller's).
    private static func stateless(_ result: JSONValue, method: String) -> JSONValue {
        guard case .object(var fields) = result else { return result }
        fields["resultType"] = .string("complete")
        if ["tools/list", "resources/list", "resources/templates/list", "resources/read", "server/discover"].contains(method) {
            fields["ttlMs"] = fields["ttlMs"] ?? .integer(0)
            fields["cacheScope"] = .string("private")
        }
        return .object(fields)
    }

    private var capabilities: JSONValue {
        .object([
            "tools": .object(["listChanged": .bool(true)]),
            "resources": .object(["subscribe": .bool(true), "listChanged": .bool(false)]),
        ])
    }

    private static var serverInfo: JSONValue {
        .object(["name": .string("dryad"), "title": .string("dryad"), "version": .string(DryadVersion.current)])
    }

    /// Agrees on a revision and says what dryad serves.
    private func initialize(_ fields: [String: JSONValue]) -> JSONValue {
        let agreed = MCPRevision.negotiate(fields["protocolVersion"]?.stringValue)
        revision = agreed
        return .object([
            "protocolVersion": .string(agreed.rawValue), "capabilities": capabilities, "serverInfo": Self.serverInfo,
            "instructions": .string(Self.instructions(memory: holdsMemory)),
        ])
    }

    /// `server/discover` (2026-07-28): the revisions, capabilities and instructions, without a session.
    private func discover() -> JSONValue {
        .object([
            "supportedVersions": .array(MCPRevision.allCases.map { .string($0.rawValue) }), "capabilities": capabilities,
            "instructions": .string(Self.instructions(memory: holdsMemory)), "ttlMs": .integer(60_000),
            "_meta": .object(["io.modelcontextprotocol/serverInfo": Self.serverInfo]),
        ])
    }

    /// Whether the principal holds memory (agents do; users and services do not), and so is
    /// offered the memory tools and resources.
    var holdsMemory: Bool { principal.kind == .agent }

    private static func instructions(memory: Bool) -> String {
        var text = "dryad runs registered tools with their schemas, permissions, limits and audit."
        if memory {
            text +=
                " Your memory lives in contexts: memory_store keeps data, memory_get reads it (resolved: true merges what ancestors hold), memory_update applies a merge patch, memory_search finds contexts, memory_log_error records a failure."
        }
        return text
    }

    private static func cursor(_ fields: [String: JSONValue]) throws(MCPFailure) -> String? {
        switch fields["cursor"] {
        case nil, .null?: return nil
        case .string(let cursor)?: return cursor
        default: throw MCPFailure(code: .invalidParams, message: "cursor: must be a string")
        }
    }

    private static func uri(_ fields: [String: JSONValue]) throws(MCPFailure) -> String {
        guard case .string(let uri)? = fields["uri"] else { throw MCPFailure(code: .invalidParams, message: "uri: required") }
        return uri
    }

    /// Sends a message that answers no request, if the transport has a channel for it.
    /// Only to a session that agreed on a handshake revision: nothing goes out before
    /// `initialize`, and a stateless client hears only on its own `subscriptions/listen`.
    func post(_ message: JSONValue) async {
        guard let revision, !revision.isStateless else { return }
        await outbox?.send(message)
    }

}
