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
            throw MCPFailure(code: .internalError, message: "cannot write context \(id): \(error)")
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
        guard subscriptions[id] != nil || subscriptions.count < Self.maxSubscriptions else {
            throw MCPFailure(code: .invalidParams, message: "a session may watch at most \(Self.maxSubscriptions) contexts")
        }
        subscriptions[id] = context.version
        return .object([:])
    }

    func unsubscribe(_ uri: String) -> JSONValue {
        if let (id, _) = try? Self.contextID(in: uri) { subscriptions[id] = nil }
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

    /// Polls the change marks while the transport can take notifications: a changed tools
    /// generation sends `notifications/tools/list_changed` (at most once per `interval`), a
    /// subscribed context's new version `notifications/resources/updated`. Returns when the
    /// task is cancelled (the session or its channel closed).
    public func watch(every interval: Duration = .milliseconds(500)) async {
        var last: ChangeMarks?
        while !Task.isCancelled {
            if hasOutbox, let marks = try? await database.changeMarks(contexts: Array(subscriptions.keys)) {
                if let last, last.tools != marks.tools {
                    await post(MCPMessage.notification("notifications/tools/list_changed", .object([:])))
                }
                for (id, seen) in subscriptions {
                    let now = marks.versions[id]
                    guard now != seen else { continue }
                    // A deleted context is reported once, then no longer watched.
                    subscriptions[id] = now
                    await post(MCPMessage.notification("notifications/resources/updated", .object(["uri": .string(Self.contextURIPrefix + id)])))
                }
                last = marks
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
