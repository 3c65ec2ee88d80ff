import Foundation

/// What a caller supplies to register one tool version (the `tools register --file` form).
public struct ToolDefinition: Sendable, Equatable {
    public var name: String
    public var version: String
    public var description: String
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?
    public var executor: ToolEndpoint?
    public var tags: [String]
    public var metadata: [String: JSONValue]
    public var status: ToolStatus

    public static let defaultVersion = "1.0.0"
    public static let defaultInputSchema: JSONValue = .object(["type": .string("object")])

    public init(
        name: String, version: String = defaultVersion, description: String,
        inputSchema: JSONValue = defaultInputSchema, outputSchema: JSONValue? = nil,
        executor: ToolEndpoint? = nil, tags: [String] = [], metadata: [String: JSONValue] = [:],
        status: ToolStatus = .active
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.executor = executor
        self.tags = tags
        self.metadata = metadata
        self.status = status
    }

    /// Reads a definition from its JSON form. The read-only fields of a tool's `-o json`
    /// output (`id`, `revision`, timestamps) are accepted and ignored so that output can be fed back.
    public init(json: JSONValue, path: String = "") throws(DryadError) {
        var reader = try JSONObjectReader(json, path: path)
        reader.ignore("id", "revision", "created_at", "updated_at")
        name = try reader.requiredString("name")
        version = try reader.string("version") ?? Self.defaultVersion
        description = try reader.requiredString("description")
        inputSchema = reader.value("input_schema").flatMap { $0 == .null ? nil : $0 } ?? Self.defaultInputSchema
        outputSchema = reader.value("output_schema").flatMap { $0 == .null ? nil : $0 }
        switch reader.value("executor") {
        case nil, .null?: executor = nil
        case let value?: executor = try ToolEndpoint(json: value, path: reader.path("executor"))
        }
        tags = try reader.stringArray("tags") ?? []
        metadata = try reader.object("metadata") ?? [:]
        if let text = try reader.string("status") {
            guard let parsed = ToolStatus(rawValue: text) else {
                throw .invalidInput("\(reader.path("status")): expected one of active, deprecated, disabled")
            }
            status = parsed
        } else {
            status = .active
        }
        try reader.finish()
        try ToolRules.check(self, path: path)
    }
}
