import DryadCore
import Foundation

extension MCPSession {
    static let contextURIPrefix = "dryad://memory/context/"

    static let resourceTemplates: JSONValue = .object([
        "resourceTemplates": .array([
            .object([
                "uriTemplate": .string(contextURIPrefix + "{id}"), "name": .string("memory-context"), "title": .string("Memory context"),
                "description": .string("A memory context as stored: data, tags, version, shares."), "mimeType": .string("application/json"),
            ]),
            .object([
                "uriTemplate": .string(contextURIPrefix + "{id}/resolved"), "name": .string("memory-context-resolved"),
                "title": .string("Memory context, resolved"),
                "description": .string("A memory context's data merged with what its ancestors hold (nearest wins)."),
                "mimeType": .string("application/json"),
            ]),
        ])
    ])

    /// `resources/list`: the agent's own contexts, newest first, a page at a time.
    func listResources(cursor: String?, as acting: Principal) async throws(MCPFailure) -> JSONValue {
        guard holdsMemory else { return .object(["resources": .array([])]) }
        let page: Page<MemoryContext>
        do {
            page = try await database.memory.list(MemoryQuery(agentID: acting.name), page: PageRequest(limit: 100, cursor: cursor), as: acting)
        } catch {
            throw MCPFailure(error)
        }
        let resources = page.items.map { context -> JSONValue in
            .object([
                "uri": .string(Self.contextURIPrefix + context.id), "name": .string(context.key ?? context.id),
                "description": .string("\(context.contextType) context, version \(context.version)"), "mimeType": .string("application/json"),
            ])
        }
        var result: [String: JSONValue] = ["resources": .array(resources)]
        if let next = page.nextCursor { result["nextCursor"] = .string(next) }
        return .object(result)
    }

    /// `resources/read`: one context, as stored or resolved.
    func readResource(_ uri: String, as acting: Principal) async throws(MCPFailure) -> JSONValue {
        let (id, resolved) = try Self.contextID(in: uri)
        let context: MemoryContext
        do {
            context = resolved ? try await database.memory.resolved(id, explain: false, as: acting) : try await database.memory.get(id, as: acting)
        } catch {
            throw Self.resourceFailure(error, uri: uri)
        }
        let text: String
        do {
            text = String(decoding: try EncodedJSON(encoding: context).bytes, as: UTF8.self)
        } catch {
            throw MCPFailure(code: .internalError, message: "cannot write context \(id)")
        }
        return .object(["contents": .array([.object(["uri": .string(uri), "mimeType": .string("application/json"), "text": .string(text)])])])
    }

    /// `resources/subscribe`: the context must be readable now; the watcher then reports its
    /// new versions with `notifications/resources/updated`.
    func subscribe(_ uri: String, as acting: Principal) async throws(MCPFailure) -> JSONValue {
        let (id, _) = try Self.contextID(in: uri)
        let context: MemoryContext
        do {
            context = try await database.memory.get(id, as: acting)
        } catch {
            throw Self.resourceFailure(error, uri: uri)
        }
        guard feed.versions[id] != nil || feed.versions.count < Self.maxSubscriptions else {
            throw MCPFailure(code: .invalidParams, message: "a session may watch at most \(Self.maxSubscriptions) contexts")
        }
        feed.watch(id, version: context.version)
        return .object([:])
    }

    func unsubscribe(_ uri: String) -> JSONValue {
        if let (id, _) = try? Self.contextID(in: uri) { feed.unwatch(id) }
        return .object([:])
    }

    /// The most contexts one session watches: each costs a point read per change of memory.
    static let maxSubscriptions = 100

    /// The context id of a `dryad://memory/context/{id}[/resolved]` URI.
    static func contextID(in uri: String) throws(MCPFailure) -> (id: String, resolved: Bool) {
        guard uri.hasPrefix(contextURIPrefix) else {
            throw MCPFailure(code: .resourceNotFound, message: "resource not found: \(uri)", data: ["uri": .string(uri)])
        }
        var rest = String(uri.dropFirst(contextURIPrefix.count))
        let resolved = rest.hasSuffix("/resolved")
        if resolved { rest = String(rest.dropLast("/resolved".count)) }
        guard !rest.isEmpty, !rest.contains("/") else {
            throw MCPFailure(code: .resourceNotFound, message: "resource not found: \(uri)", data: ["uri": .string(uri)])
        }
        return (rest, resolved)
    }

    /// A context that is missing or unreadable is MCP's "resource not found" (the core already
    /// answers both alike); other failures keep their kind.
    private static func resourceFailure(_ error: DryadError, uri: String) -> MCPFailure {
        if case .notFound = error.unadvised {
            return MCPFailure(code: .resourceNotFound, message: error.message, data: ["code": .string(error.code), "uri": .string(uri)])
        }
        return MCPFailure(error)
    }

    /// How often change marks are polled: a point read per watched context, and two small reads.
    static let pollInterval: Duration = .milliseconds(500)

    /// Polls the change marks while the transport can take notifications: a changed tools
    /// generation sends `notifications/tools/list_changed`, a subscribed context's new version
    /// (or its deletion) `notifications/resources/updated`. Returns when the task is cancelled
    /// (the session or its channel closed).
    public func watch() async {
        while !Task.isCancelled {
            let asked = feed.watched
            // Polled from the start, so a change right after initialize is seen as one.
            if let marks = try? await database.changeMarks(contexts: asked) {
                let changes = feed.apply(marks, asked: asked)
                if changes.toolsChanged { await post(MCPMessage.notification("notifications/tools/list_changed", .object([:]))) }
                for id in changes.updated {
                    guard await stillReadable(id, deleted: marks.versions[id] == nil, as: principal) else {
                        feed.unwatch(id)
                        continue
                    }
                    await post(MCPMessage.notification("notifications/resources/updated", .object(["uri": .string(Self.contextURIPrefix + id)])))
                }
            }
            do { try await Task.sleep(for: Self.pollInterval) } catch { return }
        }
    }

    /// Whether a subscriber may still hear of a changed context: a deleted one is reported once;
    /// one it can no longer read (unshared, its token's principal demoted) is not, and should
    /// no longer be watched. The check is the audited read the client would make next.
    private func stillReadable(_ id: String, deleted: Bool, as acting: Principal) async -> Bool {
        if deleted { return true }
        return (try? await database.memory.get(id, as: acting)) != nil
    }

    /// `subscriptions/listen` (2026-07-28): acknowledges what it will report (tool list changes,
    /// and the asked contexts the caller can read now), then reports them on this request's own
    /// stream, each tagged with the request's id, until the client ends the request.
    func listen(
        id: JSONValue, _ fields: [String: JSONValue], as acting: Principal, related: @escaping @Sendable (JSONValue) async -> Void
    ) async throws(MCPFailure) -> JSONValue {
        let asked = fields["notifications"]?.objectValue ?? [:]
        let tools = asked["toolsListChanged"] == .bool(true)
        var feed = MCPChangeFeed()
        var uris: [String: [String]] = [:]
        for case .string(let uri) in (asked["resourceSubscriptions"]?.arrayValue ?? []).prefix(Self.maxSubscriptions) {
            guard let (contextID, _) = try? Self.contextID(in: uri), let context = try? await database.memory.get(contextID, as: acting) else { continue }
            feed.watch(contextID, version: context.version)
            uris[contextID, default: []].append(uri)
        }
        var honoured: [String: JSONValue] = [:]
        if tools { honoured["toolsListChanged"] = .bool(true) }
        if !uris.isEmpty { honoured["resourceSubscriptions"] = .array(uris.values.flatMap { $0 }.map(JSONValue.string)) }
        let meta: JSONValue = .object(["io.modelcontextprotocol/subscriptionId": id])
        await related(MCPMessage.notification("notifications/subscriptions/acknowledged", .object(["_meta": meta, "notifications": .object(honoured)])))
        while !Task.isCancelled {
            let watched = feed.watched
            if let marks = try? await database.changeMarks(contexts: watched) {
                let changes = feed.apply(marks, asked: watched)
                if tools && changes.toolsChanged {
                    await related(MCPMessage.notification("notifications/tools/list_changed", .object(["_meta": meta])))
                }
                for contextID in changes.updated {
                    guard await stillReadable(contextID, deleted: marks.versions[contextID] == nil, as: acting) else {
                        feed.unwatch(contextID)
                        continue
                    }
                    for uri in uris[contextID] ?? [] {
                        await related(MCPMessage.notification("notifications/resources/updated", .object(["_meta": meta, "uri": .string(uri)])))
                    }
                }
            }
            do { try await Task.sleep(for: Self.pollInterval) } catch { break }
        }
        return .object(["_meta": meta])
    }
}
