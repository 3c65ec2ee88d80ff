import DryadCore
import Foundation

extension MCPSession {
    /// Runs one of dryad's own tools: its arguments read strictly (an unknown one is an error the
    /// model sees), one core call as the acting principal, the record back as structured content.
    /// Refusals are tool errors (`isError`), so the model can read why and try otherwise.
    func callOwnTool(_ tool: MCPOwnTool, arguments: JSONValue, as acting: Principal) async throws(MCPFailure) -> JSONValue {
        do {
            var reader = try JSONObjectReader(arguments, path: "arguments")
            let result = try await run(tool.kind, &reader, as: acting)
            return try Self.structured(result)
        } catch {
            return Self.toolError(MCPFailure.clientMessage(error))
        }
    }

    private func run(_ kind: MCPOwnTool.Kind, _ reader: inout JSONObjectReader, as acting: Principal) async throws(DryadError) -> any Encodable & Sendable {
        let memory = database.memory
        switch kind {
        case .memoryStore:
            guard case .object? = reader.present("data") else { throw .invalidInput("data: required, a JSON object") }
            let draft = MemoryDraft(
                agentID: acting.name, contextType: try reader.string("context_type") ?? MemoryDraft.defaultType,
                data: reader.present("data") ?? .object([:]), parentID: try reader.string("parent_id"), tags: try reader.stringArray("tags") ?? [],
                ttl: try reader.number("ttl_seconds"), key: try reader.string("key"))
            try reader.finish()
            return try await memory.store(draft, as: acting)
        case .memoryGet:
            let (id, key) = (try reader.string("id"), try reader.string("key"))
            let (resolved, explain) = (try reader.bool("resolved") ?? false, try reader.bool("explain") ?? false)
            try reader.finish()
            let reference: ContextReference
            switch (id, key) {
            case (let id?, nil): reference = .id(id)
            case (nil, let key?): reference = .key(agent: acting.name, key: key)
            default: throw .invalidInput("give id or key, not both")
            }
            return resolved || explain
                ? try await memory.resolved(reference, explain: explain, as: acting) : try await memory.get(reference, as: acting)
        case .memorySearch:
            let text = try reader.requiredString("query")
            let query = MemoryQuery(contextType: try reader.string("context_type"), tags: try reader.stringArray("tags") ?? [])
            let page = PageRequest(limit: try reader.integer("limit") ?? 10, cursor: try reader.string("cursor"))
            try reader.finish()
            return try await memory.search(text, query, page: page, as: acting)
        case .memoryUpdate:
            let id = try reader.requiredString("id")
            let patch = reader.present("patch")
            if let patch, patch.objectValue == nil { throw .invalidInput("patch: must be a JSON object") }
            let policy = try reader.string("on_conflict").map { name throws(DryadError) in
                guard let policy = MemoryChange.ConflictPolicy(rawValue: name) else { throw .invalidInput("on_conflict: must be reject or merge") }
                return policy
            }
            let change = MemoryChange(
                content: patch.map { .mergePatch($0) } ?? .keep, tags: try reader.stringArray("tags"), ttl: try reader.number("ttl_seconds"),
                ifVersion: try reader.integer("if_version").map { ExpectedNumbers($0) }, onConflict: policy ?? .reject)
            try reader.finish()
            return try await memory.update(id, change, as: acting)
        case .memoryParents:
            let id = try reader.requiredString("id")
            let page = PageRequest(limit: try reader.integer("limit") ?? 20, cursor: try reader.string("cursor"))
            try reader.finish()
            return try await memory.parents(id, page: page, as: acting)
        case .memoryLogError:
            let (type, message) = (try reader.requiredString("type"), try reader.requiredString("message"))
            let (stackTrace, contextID) = (try reader.string("stack_trace"), try reader.string("context_id"))
            try reader.finish()
            return try await database.errors.log(type: type, message: message, stackTrace: stackTrace, contextID: contextID, as: acting)
        case .searchTools:
            let text = try reader.string("query")
            let tags = try reader.stringArray("tags") ?? []
            let limit = try reader.integer("limit") ?? 10
            try reader.finish()
            guard (1...50).contains(limit) else { throw .invalidInput("limit: must be between 1 and 50") }
            let page = try await database.tools.list(
                ToolQuery(text: text, tags: settings.tags + tags, can: .execute), page: PageRequest(limit: limit), as: acting)
            let tools = page.items.filter(Self.servable)
            await remember(found: tools.map(\.name))
            return FoundTools(tools: tools.map(MCPToolDescriptor.tool))
        }
    }

    /// In search-only mode, adds what a search found to the listing and tells the client.
    private func remember(found names: [String]) async {
        guard settings.searchOnly else { return }
        let new = names.filter { !found.contains($0) }
        guard !new.isEmpty else { return }
        found.append(contentsOf: new)
        await post(MCPMessage.notification("notifications/tools/list_changed", .object([:])))
    }

    /// A successful result: the record as text and, as MCP asks of structured results, as an object.
    static func structured(_ value: some Encodable) throws(DryadError) -> JSONValue {
        let bytes: [UInt8]
        do {
            bytes = try EncodedJSON(encoding: value).bytes
        } catch {
            throw .storage("cannot write the result")
        }
        let json = try JSONValue.parse(Data(bytes))
        return .object([
            "content": .array([.object(["type": .string("text"), "text": .string(String(decoding: bytes, as: UTF8.self))])]),
            "structuredContent": json, "isError": .bool(false),
        ])
    }
}

/// What `search_tools` returns.
struct FoundTools: Encodable, Sendable {
    let tools: [JSONValue]
}
