import Foundation

/// The lifecycle state of one tool version.
public enum ToolStatus: String, Sendable, Codable, CaseIterable {
    case active, deprecated, disabled
}

/// What a caller supplies to register one tool version (the `tools register --file` form).
public struct ToolDefinition: Sendable, Equatable {
    public var name: String
    public var version: String
    public var description: String
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?
    public var executor: Executor?
    public var tags: [String]
    public var metadata: [String: JSONValue]
    public var status: ToolStatus

    public static let defaultVersion = "1.0.0"
    public static let defaultInputSchema: JSONValue = .object(["type": .string("object")])

    public init(
        name: String, version: String = defaultVersion, description: String,
        inputSchema: JSONValue = defaultInputSchema, outputSchema: JSONValue? = nil,
        executor: Executor? = nil, tags: [String] = [], metadata: [String: JSONValue] = [:],
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
        case let value?: executor = try Executor(json: value, path: reader.path("executor"))
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

/// One version of a tool as stored and printed.
public struct ToolVersion: Sendable, Equatable, Encodable {
    /// The tool's stable id, shared by all its versions.
    public var id: String
    public var name: String
    public var version: String
    public var description: String
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?
    public var executor: Executor?
    public var tags: [String]
    public var metadata: [String: JSONValue]
    public var status: ToolStatus
    /// Counts updates of this version, for optimistic concurrency.
    public var revision: Int
    public var createdAt: String
    public var updatedAt: String

    /// `NAME@VERSION`, the reference that names exactly this version.
    public var reference: String { "\(name)@\(version)" }

    enum CodingKeys: String, CodingKey {
        case id, name, version, description
        case inputSchema = "input_schema"
        case outputSchema = "output_schema"
        case executor, tags, metadata, status, revision
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(version, forKey: .version)
        try c.encode(description, forKey: .description)
        try c.encode(inputSchema, forKey: .inputSchema)
        // Absent optional fields are printed as null so every record has the same keys.
        try c.encode(outputSchema ?? .null, forKey: .outputSchema)
        try c.encode(executor?.json ?? .null, forKey: .executor)
        try c.encode(tags, forKey: .tags)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(status, forKey: .status)
        try c.encode(revision, forKey: .revision)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// Changes to the mutable fields of one tool version; nil leaves a field as it is.
public struct ToolChanges: Sendable, Equatable {
    /// What to do with the executor.
    public enum ExecutorChange: Sendable, Equatable {
        case replace(Executor)
        case remove
        /// Keep the executor, change only its timeout.
        case timeout(Double)
    }

    public var description: String?
    public var tags: [String]?
    public var metadata: [String: JSONValue]?
    public var status: ToolStatus?
    public var executor: ExecutorChange?

    public init(
        description: String? = nil, tags: [String]? = nil, metadata: [String: JSONValue]? = nil,
        status: ToolStatus? = nil, executor: ExecutorChange? = nil
    ) {
        self.description = description
        self.tags = tags
        self.metadata = metadata
        self.status = status
        self.executor = executor
    }

    public var isEmpty: Bool {
        description == nil && tags == nil && metadata == nil && status == nil && executor == nil
    }
}

/// The field rules shared by registration and update.
enum ToolRules {
    static let maxDescriptionLength = 16_384
    static let maxTags = 32
    static let maxMetadataBytes = 64 * 1024
    static let maxSchemaBytes = 1024 * 1024

    /// True when `name` is valid as an LLM function name: `^[A-Za-z0-9_-]{1,64}$`.
    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
            }
    }

    static func isValidTag(_ tag: String) -> Bool {
        (1...64).contains(tag.utf8.count)
            && tag.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                    || b == 0x5F || b == 0x2D || b == 0x2E || b == 0x3A || b == 0x2F
            }
    }

    static func check(_ definition: ToolDefinition, path: String) throws(DryadError) {
        let at = path.isEmpty ? "" : path + "."
        guard isValidName(definition.name) else {
            throw .invalidInput("\(at)name: \"\(printable(definition.name))\" must match ^[A-Za-z0-9_-]{1,64}$")
        }
        guard SemanticVersion(definition.version) != nil else {
            throw .invalidInput("\(at)version: \"\(printable(definition.version))\" is not a semantic version (MAJOR.MINOR.PATCH)")
        }
        try checkDescription(definition.description, path: at + "description")
        try checkSchema(definition.inputSchema, path: at + "input_schema")
        if let output = definition.outputSchema {
            try checkSchema(output, path: at + "output_schema")
        }
        try checkTags(definition.tags, path: at + "tags")
        try checkMetadata(definition.metadata, path: at + "metadata")
    }

    static func checkDescription(_ text: String, path: String) throws(DryadError) {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidInput("\(path): must not be empty")
        }
        guard text.utf8.count <= maxDescriptionLength else {
            throw .invalidInput("\(path): longer than \(maxDescriptionLength) bytes")
        }
    }

    static func checkTags(_ tags: [String], path: String) throws(DryadError) {
        guard tags.count <= maxTags else { throw .invalidInput("\(path): more than \(maxTags) tags") }
        for tag in tags where !isValidTag(tag) {
            throw .invalidInput("\(path): \"\(printable(tag))\" must be 1-64 characters of A-Z a-z 0-9 _ - . : /")
        }
        // Tags are a set: a repeated one is a mistake in the input, not a second tag.
        var seen = Set<String>()
        for tag in tags where !seen.insert(tag).inserted {
            throw .invalidInput("\(path): \"\(tag)\" is given twice")
        }
    }

    static func checkMetadata(_ metadata: [String: JSONValue], path: String) throws(DryadError) {
        guard JSONValue.object(metadata).canonicalText.utf8.count <= maxMetadataBytes else {
            throw .invalidInput("\(path): larger than \(maxMetadataBytes) bytes")
        }
    }

    static func checkSchema(_ schema: JSONValue, path: String) throws(DryadError) {
        guard case .object = schema else {
            throw .invalidInput("\(path): expected a JSON Schema object, got \(schema.typeName)")
        }
        guard schema.canonicalText.utf8.count <= maxSchemaBytes else {
            throw .invalidInput("\(path): larger than \(maxSchemaBytes) bytes")
        }
        do {
            _ = try JSONSchema(schema)
        } catch {
            throw .invalidInput("\(path): not a valid JSON Schema: \(error.message)")
        }
    }

    /// Keeps error messages on one line and short whatever the user typed.
    static func printable(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return cleaned.count > 80 ? String(cleaned.prefix(80)) + "…" : cleaned
    }
}
