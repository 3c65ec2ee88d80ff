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
        /// Put a value at a JSON pointer, creating missing objects on the way (a run's output).
        case set(pointer: String, value: JSONValue)

        /// The data this content makes of `data`.
        func applied(to data: JSONValue) throws(DryadError) -> JSONValue {
            switch self {
            case .keep: return data
            case .replace(let replacement): return replacement
            case .mergePatch(let patch): return JSONMerge.apply(patch, to: data)
            case .set(let pointer, let value):
                guard let result = JSONPointer.setting(value, at: pointer, in: data) else {
                    throw .invalidInput(
                        "\(pointer): not a place in the context's data (the path runs through a value that is not an object, or past the end of an array)")
                }
                return result
            }
        }
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
