import Foundation

/// One version of a tool as stored and printed.
public struct ToolVersion: Sendable, Equatable, Encodable {
    /// The tool's stable id, shared by all its versions.
    public var id: String
    public var name: String
    public var version: String
    public var description: String
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?
    public var executor: ToolEndpoint?
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
