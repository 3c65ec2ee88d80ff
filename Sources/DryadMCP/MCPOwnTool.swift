import DryadCore

/// A tool dryad itself serves over MCP: the memory tools (to agents) and `search_tools`.
struct MCPOwnTool: Sendable {
    enum Kind: Sendable {
        case memoryStore, memoryGet, memorySearch, memoryUpdate, memoryParents, memoryLogError, searchTools
    }

    let kind: Kind
    let name: String
    let title: String
    let description: String
    let inputSchema: JSONValue
    /// MCP's hints: which of these only read.
    let readOnly: Bool

    var descriptor: JSONValue {
        .object([
            "name": .string(name), "title": .string(title), "description": .string(description), "inputSchema": inputSchema,
            "annotations": .object(["readOnlyHint": .bool(readOnly), "openWorldHint": .bool(false)]),
        ])
    }

    /// Reads a schema written below; they are constants, so a parse failure is a typo that
    /// `MCPOwnToolTests` catches (every schema must parse to an object).
    private static func schema(_ text: String) -> JSONValue {
        (try? JSONValue.parse(text)) ?? .null
    }

    static let searchTools = MCPOwnTool(
        kind: .searchTools, name: "search_tools", title: "Search tools",
        description:
            "Find registered tools you may run by words in their name, description or tags; returns each with its input schema. With a search-only server, the tools found are added to your tool list.",
        inputSchema: schema(
            #"{"type":"object","properties":{"query":{"type":"string","description":"Words to find in a tool's name, description or tags."},"tags":{"type":"array","items":{"type":"string"},"description":"Only tools with all of these tags."},"limit":{"type":"integer","minimum":1,"maximum":50,"default":10}},"additionalProperties":false}"#
        ), readOnly: true)

    static let memoryTools: [MCPOwnTool] = [
        MCPOwnTool(
            kind: .memoryStore, name: "memory_store", title: "Store memory",
            description:
                "Store a new memory context of yours. A child (parent_id) inherits what its ancestors hold unless it overrides it. A key names the context for memory_get.",
            inputSchema: schema(
                #"{"type":"object","properties":{"data":{"type":"object","description":"The JSON object to keep."},"context_type":{"type":"string","default":"general"},"parent_id":{"type":"string"},"key":{"type":"string","description":"A name unique among your contexts."},"tags":{"type":"array","items":{"type":"string"}},"ttl_seconds":{"type":"number","exclusiveMinimum":0}},"required":["data"],"additionalProperties":false}"#
            ), readOnly: false),
        MCPOwnTool(
            kind: .memoryGet, name: "memory_get", title: "Read memory",
            description:
                "Read a memory context by id or by your key; resolved: true merges what its ancestors hold (nearest wins), explain: true says where each value came from.",
            inputSchema: schema(
                #"{"type":"object","properties":{"id":{"type":"string"},"key":{"type":"string"},"resolved":{"type":"boolean","default":false},"explain":{"type":"boolean","default":false}},"additionalProperties":false}"#
            ), readOnly: true),
        MCPOwnTool(
            kind: .memorySearch, name: "memory_search", title: "Search memory",
            description:
                "Full-text search over the contexts you may read, best first: words are ANDed, \"quoted phrases\" match in order, prefix* matches word starts.",
            inputSchema: schema(
                #"{"type":"object","properties":{"query":{"type":"string"},"context_type":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"limit":{"type":"integer","minimum":1,"maximum":100,"default":10},"cursor":{"type":"string"}},"required":["query"],"additionalProperties":false}"#
            ), readOnly: true),
        MCPOwnTool(
            kind: .memoryUpdate, name: "memory_update", title: "Update memory",
            description:
                "Change a context with an RFC 7396 merge patch (null removes a key) as its next version. With if_version, the change applies only over that version, unless on_conflict is merge (a three-way merge with what changed since).",
            inputSchema: schema(
                #"{"type":"object","properties":{"id":{"type":"string"},"patch":{"type":"object"},"if_version":{"type":"integer","minimum":1},"on_conflict":{"type":"string","enum":["reject","merge"],"default":"reject"},"tags":{"type":"array","items":{"type":"string"}},"ttl_seconds":{"type":"number","exclusiveMinimum":0}},"required":["id"],"additionalProperties":false}"#
            ), readOnly: false),
        MCPOwnTool(
            kind: .memoryParents, name: "memory_parents", title: "Memory ancestors",
            description: "A context's ancestors, nearest first.",
            inputSchema: schema(
                #"{"type":"object","properties":{"id":{"type":"string"},"limit":{"type":"integer","minimum":1,"maximum":100,"default":20},"cursor":{"type":"string"}},"required":["id"],"additionalProperties":false}"#
            ), readOnly: true),
        MCPOwnTool(
            kind: .memoryLogError, name: "memory_log_error", title: "Log an error",
            description: "Record an error, optionally on a context you may read, so whoever works on it later sees it.",
            inputSchema: schema(
                #"{"type":"object","properties":{"type":{"type":"string","description":"A short kind, such as api.timeout."},"message":{"type":"string"},"stack_trace":{"type":"string"},"context_id":{"type":"string"}},"required":["type","message"],"additionalProperties":false}"#
            ), readOnly: false),
    ]
}
