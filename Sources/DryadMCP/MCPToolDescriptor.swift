import DryadCore

/// How a registered tool is described to MCP clients.
enum MCPToolDescriptor {
    /// The `_meta` key a client may set on `tools/call` to choose the run's memory context.
    static let contextKey = "dryad/context"

    /// The hints MCP defines for `annotations`; a tool's `metadata.annotations` may set them.
    static let annotationHints: [String: String] = [
        "title": "string", "readOnlyHint": "boolean", "destructiveHint": "boolean", "idempotentHint": "boolean", "openWorldHint": "boolean",
    ]

    /// Whether a schema says `"type": "object"`, as MCP requires of a tool's input schema (its
    /// arguments are always an object) and of an output schema.
    static func describesObject(_ schema: JSONValue) -> Bool {
        schema.objectValue?["type"] == .string("object")
    }

    /// A tool's MCP description: its schemas as registered, `metadata.title` as the title, the
    /// known hints of `metadata.annotations`, and version and tags in `_meta`.
    static func tool(_ tool: ToolVersion) -> JSONValue {
        var fields: [String: JSONValue] = [
            "name": .string(tool.name), "description": .string(tool.description), "inputSchema": tool.inputSchema,
            "_meta": .object(["dryad/version": .string(tool.version), "dryad/tags": .array(tool.tags.map(JSONValue.string))]),
        ]
        // Clients refuse a whole listing over one output schema that is not an object's; such a
        // tool is listed without it (its output still comes back, as text).
        if let outputSchema = tool.outputSchema, describesObject(outputSchema) { fields["outputSchema"] = outputSchema }
        if case .string(let title)? = tool.metadata["title"] { fields["title"] = .string(title) }
        if case .object(let given)? = tool.metadata["annotations"] {
            // Only hints of the type MCP gives them: a client validates these strictly.
            let kept = given.filter { key, value in annotationHints[key] == value.typeName }
            if !kept.isEmpty { fields["annotations"] = .object(kept) }
        }
        return .object(fields)
    }
}
