import Foundation

/// An agent's JSON memory (the planning document's `memory_context`), as stored and printed.
public struct MemoryContext: Sendable, Equatable, Encodable {
    public var id: String
    /// The caller-chosen stable key (fixtures find contexts by it); nil when none was given.
    public var key: String?
    /// The owning agent.
    public var agentID: String
    public var contextType: String
    /// Always a JSON object; the effective data when resolved.
    public var data: JSONValue
    public var parentID: String?
    public var tags: [String]
    public var version: Int
    public var createdAt: String
    public var updatedAt: String
    public var expiresAt: String?
    public var sharedWith: [MemoryShare]

    // Fields only some answers carry; absent from the JSON when nil.
    /// `get --resolved --explain`: the source of every leaf.
    public var provenance: [Provenance]?
    /// `get`: unresolved error logs tied to this context.
    public var unresolvedErrors: Int?
    /// `search`: relevance (higher is better) and a highlighted excerpt.
    public var score: Double?
    public var snippet: String?
    /// `update`: true when a three-way merge produced this version.
    public var merged: Bool?
    /// `history`: who wrote this version, and the run whose output it stores (if one did).
    public var principal: String?
    public var executionID: String?
    /// `get` with runs: the latest runs in this context and its open errors.
    public var runs: [ExecutionRecord]?
    public var openErrors: [ErrorRecord]?

    /// Fields of a context's JSON that no request sets (the store keeps them): a context written
    /// out may be sent back with them, and they are ignored.
    public static let readOnlyFields = [
        "id", "version", "created_at", "updated_at", "expires_at", "shared_with", "provenance", "unresolved_errors", "score", "snippet", "merged",
        "principal", "execution_id", "runs", "open_errors",
    ]

    /// Fields set when a context is stored and never changed after: a replacement may restate
    /// them (`MemoryChange.restated`) but not change them.
    public static let fixedFields = ["agent_id", "context_type", "key", "parent_id"]

    /// A fixed field's value as the context's JSON writes it; nil for any other name.
    func fixedValue(_ field: String) -> JSONValue? {
        switch field {
        case "agent_id": .string(agentID)
        case "context_type": .string(contextType)
        case "key": key.map(JSONValue.string) ?? .null
        case "parent_id": parentID.map(JSONValue.string) ?? .null
        default: nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, key
        case agentID = "agent_id"
        case contextType = "context_type"
        case data
        case parentID = "parent_id"
        case tags, version
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case expiresAt = "expires_at"
        case sharedWith = "shared_with"
        case provenance
        case unresolvedErrors = "unresolved_errors"
        case score, snippet, merged, principal, runs
        case executionID = "execution_id"
        case openErrors = "open_errors"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(key, forKey: .key)
        try c.encode(agentID, forKey: .agentID)
        try c.encode(contextType, forKey: .contextType)
        try c.encode(data, forKey: .data)
        try c.encode(parentID, forKey: .parentID)
        try c.encode(tags, forKey: .tags)
        try c.encode(version, forKey: .version)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(sharedWith, forKey: .sharedWith)
        try c.encodeIfPresent(provenance, forKey: .provenance)
        try c.encodeIfPresent(unresolvedErrors, forKey: .unresolvedErrors)
        try c.encodeIfPresent(score, forKey: .score)
        try c.encodeIfPresent(snippet, forKey: .snippet)
        try c.encodeIfPresent(merged, forKey: .merged)
        try c.encodeIfPresent(principal, forKey: .principal)
        try c.encodeIfPresent(executionID, forKey: .executionID)
        try c.encodeIfPresent(runs, forKey: .runs)
        try c.encodeIfPresent(openErrors, forKey: .openErrors)
    }
}
