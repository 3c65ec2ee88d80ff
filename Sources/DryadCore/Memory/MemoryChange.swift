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
