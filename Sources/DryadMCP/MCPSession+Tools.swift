import DryadCore
import Foundation

extension MCPSession {
    /// How many registry tools one `tools/list` page holds.
    static let toolPageSize = 100

    /// `tools/list`: dryad's own tools on the first page, then a page of the registry's latest
    /// versions the principal may execute (the registry's cursor is the protocol's cursor).
    func listTools(cursor: String?, as acting: Principal) async throws(MCPFailure) -> JSONValue {
        let builtIns = cursor == nil ? ownTools.map(\.descriptor) : []
        let reserved = Set(ownTools.map(\.name))
        if settings.searchOnly {
            guard cursor == nil else { throw MCPFailure(code: .invalidParams, message: "cursor: this list has one page") }
            var tools = builtIns
            for name in found {
                if let tool = try? await database.tools.get(ToolReference(name), as: acting), Self.servable(tool), !reserved.contains(tool.name) {
                    tools.append(MCPToolDescriptor.tool(tool))
                }
            }
            return .object(["tools": .array(tools)])
        }
        let page: Page<ToolVersion>
        do {
            page = try await database.tools.list(
                ToolQuery(tags: settings.tags, can: .execute), page: PageRequest(limit: Self.toolPageSize, cursor: cursor), as: acting)
        } catch {
            throw MCPFailure(error)
        }
        // Disabled tools cannot run; a registered tool named like one of dryad's own is shadowed by
        // it; a tool whose input is not an object cannot take MCP's arguments (and its schema
        // would make clients refuse the whole page).
        let listed = page.items.filter { Self.servable($0) && !reserved.contains($0.name) }.map(MCPToolDescriptor.tool)
        var result: [String: JSONValue] = ["tools": .array(builtIns + listed)]
        if let next = page.nextCursor { result["nextCursor"] = .string(next) }
        return .object(result)
    }

    /// Whether a registered tool can be served over MCP at all.
    static func servable(_ tool: ToolVersion) -> Bool {
        tool.status != .disabled && MCPToolDescriptor.describesObject(tool.inputSchema)
    }

    /// dryad's own tools this session offers: `search_tools`, and the memory tools to an agent.
    var ownTools: [MCPOwnTool] {
        (holdsMemory ? MCPOwnTool.memoryTools : []) + [MCPOwnTool.searchTools]
    }

    /// `tools/call`: one of dryad's own tools, or a registered tool run by the same runner as
    /// `tools execute` and recorded the same way, in the session's context.
    func callTool(
        _ fields: [String: JSONValue], revision: MCPRevision, as acting: Principal, related: @escaping @Sendable (JSONValue) async -> Void
    ) async throws(MCPFailure) -> JSONValue {
        guard case .string(let name)? = fields["name"] else { throw MCPFailure(code: .invalidParams, message: "name: required") }
        let arguments = fields["arguments"] ?? .object([:])
        guard case .object = arguments else { throw MCPFailure(code: .invalidParams, message: "arguments: must be an object") }
        let meta = fields["_meta"]?.objectValue ?? [:]
        if let own = ownTools.first(where: { $0.name == name }) {
            return try await callOwnTool(own, arguments: arguments, as: acting)
        }
        let unknown = MCPFailure(code: .invalidParams, message: "unknown tool: \(name)")
        guard !name.contains("@"), var reference = try? ToolReference(name) else { throw unknown }
        let contextID: String?
        switch meta[MCPToolDescriptor.contextKey] {
        case nil, .null?: contextID = settings.contextID
        case .string(let id)?: contextID = id
        default: throw MCPFailure(code: .invalidParams, message: "_meta.\(MCPToolDescriptor.contextKey): must be a context id")
        }
        // The tags an operator chose bound what may be called, not only what is listed; the
        // version checked is the version run (a newer one without the tags may appear meanwhile).
        if !settings.tags.isEmpty {
            guard let tool = try? await database.tools.get(reference, as: acting), Set(settings.tags).isSubset(of: tool.tags),
                let exact = try? ToolReference(tool.reference)
            else { throw unknown }
            reference = exact
        }
        let ticker = Self.progressTicker(token: meta["progressToken"], tool: name, send: related)
        defer { ticker?.cancel() }
        let outcome: ExecutionOutcome
        do {
            // A stateless request's session lives only as long as the request: it names none.
            let origin = RunOrigin.mcp(session: revision.isStateless ? nil : id)
            outcome = try await runner.execute(reference, input: arguments, in: contextID.map { RunInContext(contextID: $0) }, origin: origin, as: acting)
        } catch {
            // A tool the caller may not see answers exactly as one that does not exist.
            if case .notFound(let message) = error.unadvised, message.hasPrefix("tool ") { throw unknown }
            if case .permissionDenied(let message) = error.unadvised, message.hasPrefix("tool ") { throw unknown }
            return Self.toolError(MCPFailure.clientMessage(error))
        }
        // Readable but not executable: recorded as denied, answered as unknown.
        if outcome.record.status == .denied { throw unknown }
        return toolResult(outcome, revision: revision)
    }

    /// The result of a recorded run: its output, or its failure with `isError`.
    private func toolResult(_ outcome: ExecutionOutcome, revision: MCPRevision) -> JSONValue {
        let record = outcome.record
        var meta: [String: JSONValue] = [
            "dryad/execution_id": .string(record.id), "dryad/status": .string(record.status.rawValue),
            "dryad/tool_version": .string(record.toolVersion),
        ]
        if !outcome.warnings.isEmpty { meta["dryad/warnings"] = .array(outcome.warnings.map(JSONValue.string)) }
        if let failure = outcome.failure {
            var result = Self.toolError(failure.message).objectValue ?? [:]
            result["_meta"] = .object(meta)
            return .object(result)
        }
        let output = record.output ?? .null
        let text = if case .string(let plain) = output { plain } else { output.canonicalText }
        var result: [String: JSONValue] = [
            "content": .array([.object(["type": .string("text"), "text": .string(text)])]), "isError": .bool(false), "_meta": .object(meta),
        ]
        if case .object = output, revision.hasStructuredOutput { result["structuredContent"] = output }
        return .object(result)
    }

    /// A tool-level error: the model sees the reason and can correct its call.
    static func toolError(_ message: String) -> JSONValue {
        .object(["content": .array([.object(["type": .string("text"), "text": .string(message)])]), "isError": .bool(true)])
    }

    /// Sends `notifications/progress` once a second while a run lasts, when the client asked
    /// for progress; nil when it did not.
    static func progressTicker(token: JSONValue?, tool: String, send: @escaping @Sendable (JSONValue) async -> Void) -> Task<Void, Never>? {
        guard let token, token != .null else { return nil }
        return Task {
            var seconds: Int64 = 0
            while true {
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
                seconds += 1
                await send(
                    MCPMessage.notification(
                        "notifications/progress",
                        .object([
                            "progressToken": token, "progress": .integer(seconds),
                            "message": .string("\(tool) has been running for \(seconds) s"),
                        ])))
            }
        }
    }
}
