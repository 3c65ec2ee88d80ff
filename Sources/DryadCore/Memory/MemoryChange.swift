import Foundation

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
    public var ifVersion: ExpectedNumbers?
    public var onConflict: ConflictPolicy
    /// Fixed fields (`MemoryContext.fixedFields`) the request restated, as a context written
    /// out and sent back does: each must equal the stored value, or the change is refused
    /// rather than silently not made.
    public var restated: [String: JSONValue] = [:]

    public init(
        content: Content = .keep, tags: [String]? = nil, ttl: TimeInterval? = nil, ifVersion: ExpectedNumbers? = nil,
        onConflict: ConflictPolicy = .reject
    ) {
        self.content = content
        self.tags = tags
        self.ttl = ttl
        self.ifVersion = ifVersion
        self.onConflict = onConflict
    }
}
