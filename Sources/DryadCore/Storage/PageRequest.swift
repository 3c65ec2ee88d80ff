import Foundation

/// Page size and position shared by every listing.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 100
    public static let maxLimit = 1000

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
