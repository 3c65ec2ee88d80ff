import Foundation

/// What another agent may do with a shared context and its descendants.
public enum MemoryAccess: String, Sendable, Codable, CaseIterable {
    case read, write
}

/// One agent a context is shared with.
public struct MemoryShare: Sendable, Equatable, Encodable {
    public var agentID: String
    public var access: MemoryAccess

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case access
    }
}

/// Where one leaf of resolved data came from.
public struct Provenance: Sendable, Equatable, Encodable {
    public var pointer: String
    public var contextID: String

    enum CodingKeys: String, CodingKey {
        case pointer
        case contextID = "context_id"
    }
}

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
    /// `history`: who wrote this version.
    public var principal: String?

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
        case score, snippet, merged, principal
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
    }
}

/// A new context to store.
public struct MemoryDraft: Sendable, Equatable {
    public var agentID: String
    public var contextType: String
    public var data: JSONValue
    public var parentID: String?
    public var tags: [String]
    /// Seconds until the context expires; nil for never.
    public var ttl: TimeInterval?
    /// A stable key, unique in the database, that finds the context again.
    public var key: String?

    public static let defaultType = "general"

    public init(
        agentID: String, contextType: String = defaultType, data: JSONValue = .object([:]), parentID: String? = nil,
        tags: [String] = [], ttl: TimeInterval? = nil, key: String? = nil
    ) {
        self.key = key
        self.agentID = agentID
        self.contextType = contextType
        self.data = data
        self.parentID = parentID
        self.tags = tags
        self.ttl = ttl
    }
}

/// A change to a context; every accepted change writes a new version.
public struct MemoryChange: Sendable, Equatable {
    /// How the data changes.
    public enum Content: Sendable, Equatable {
        case keep
        /// Replace the whole data object.
        case replace(JSONValue)
        /// Apply an RFC 7396 merge patch.
        case mergePatch(JSONValue)
    }

    /// What to do when `ifVersion` is not the current version.
    public enum ConflictPolicy: String, Sendable, CaseIterable {
        case reject, merge
    }

    public var content: Content
    public var tags: [String]?
    /// New time to live from now; nil leaves the expiry as it is.
    public var ttl: TimeInterval?
    public var ifVersion: Int?
    public var onConflict: ConflictPolicy

    public init(
        content: Content = .keep, tags: [String]? = nil, ttl: TimeInterval? = nil, ifVersion: Int? = nil,
        onConflict: ConflictPolicy = .reject
    ) {
        self.content = content
        self.tags = tags
        self.ttl = ttl
        self.ifVersion = ifVersion
        self.onConflict = onConflict
    }
}

/// Filters for listing and searching contexts.
public struct MemoryQuery: Sendable, Equatable {
    public var agentID: String?
    public var contextType: String?
    /// Contexts carrying every one of these tags.
    public var tags: [String]
    public var parentID: String?
    public var since: Date?

    public init(agentID: String? = nil, contextType: String? = nil, tags: [String] = [], parentID: String? = nil, since: Date? = nil) {
        self.agentID = agentID
        self.contextType = contextType
        self.tags = tags
        self.parentID = parentID
        self.since = since
    }
}

/// The field rules for memory contexts.
enum MemoryRules {
    static let maxDepth = 255
    static let maxChain = maxDepth + 1

    static func isValidAgent(_ text: String) -> Bool {
        // `.` and `..` are URL path segments a client rewrites (`…/shares/..` is the context).
        text != "." && text != ".." && (1...128).contains(text.utf8.count)
            && text.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                    || b == 0x5F || b == 0x2D || b == 0x2E || b == 0x3A || b == 0x40
            }
    }

    static func isValidType(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && ToolRules.isValidTag(text)
    }

    /// Keys look like paths (`support/root`) so fixtures can name trees readably.
    static func checkKey(_ key: String, field: String) throws(DryadError) {
        let valid =
            (1...128).contains(key.utf8.count)
            && key.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                    || b == 0x5F || b == 0x2D || b == 0x2E || b == 0x3A || b == 0x2F || b == 0x40
            }
        guard valid else {
            throw .invalidInput("\(field): \"\(ToolRules.printable(key))\" must be 1-128 characters of A-Z a-z 0-9 _ - . : / @")
        }
    }

    static func checkAgent(_ agent: String, field: String) throws(DryadError) {
        guard isValidAgent(agent) else {
            throw .invalidInput("\(field): \"\(ToolRules.printable(agent))\" must be 1-128 characters of A-Z a-z 0-9 _ - . : @, and not . or ..")
        }
    }

    /// The longest time to live: a century keeps timestamps within four-digit years.
    static let maxTTL: TimeInterval = 100 * 365 * 86_400

    static func checkData(_ data: JSONValue, limit: Int) throws(DryadError) {
        guard case .object = data else { throw .invalidInput("data: expected a JSON object, got \(data.typeName)") }
        guard data.nestingDepth(limit: JSONValue.defaultMaxDepth) <= JSONValue.defaultMaxDepth else {
            throw .invalidInput("data: nested deeper than \(JSONValue.defaultMaxDepth) levels")
        }
        let size = data.canonicalText.utf8.count
        guard size <= limit else { throw .invalidInput("data: \(size) bytes is over the \(limit)-byte limit") }
    }

    static func checkTTL(_ ttl: TimeInterval?) throws(DryadError) {
        if let ttl, !(ttl > 0 && ttl <= maxTTL) { throw .invalidInput("ttl: must be greater than 0 and at most 100 years (36500d)") }
    }

    /// When a context stored at `now` with `ttl` expires: the stored (millisecond) time plus the
    /// ttl rounded up to a millisecond, so that even a tiny ttl yields a context that is visible
    /// when it is written.
    static func expiry(_ now: Date, ttl: TimeInterval) -> String {
        let stored = (now.timeIntervalSince1970 * 1000).rounded()
        let milliseconds = stored + max(1, (ttl * 1000).rounded(.up))
        return Timestamp.format(Date(timeIntervalSince1970: milliseconds / 1000))
    }
}

/// A record already written as JSON, with the version its ETag carries.
public struct EncodedRecord: Sendable {
    public let json: EncodedJSON
    public let version: Int
}
