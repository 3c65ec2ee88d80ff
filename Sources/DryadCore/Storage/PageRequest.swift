import Foundation

/// Page size and position shared by every listing.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 100
    public static let maxLimit = 1000
    /// The most data one page of contexts or versions carries (their `data`, as canonical
    /// JSON): a page stops before an item that would go past it, and `next_cursor` goes on.
    public static let maxBytes = 4 * 1024 * 1024

    public var limit: Int
    public var cursor: String?

    public init(limit: Int = defaultLimit, cursor: String? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    /// Fails on a limit out of range.
    func validated() throws(DryadError) -> PageRequest {
        guard (1...Self.maxLimit).contains(limit) else {
            throw .invalidInput("limit: must be between 1 and \(Self.maxLimit)")
        }
        return self
    }
}
