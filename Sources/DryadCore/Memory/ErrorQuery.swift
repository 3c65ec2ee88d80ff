import Foundation
import GRDB

/// Filters for listing error logs.
public struct ErrorQuery: Sendable, Equatable {
    public var contextID: String?
    public var errorType: String?
    public var unresolvedOnly: Bool
    public var since: Date?

    public init(contextID: String? = nil, errorType: String? = nil, unresolvedOnly: Bool = false, since: Date? = nil) {
        self.contextID = contextID
        self.errorType = errorType
        self.unresolvedOnly = unresolvedOnly
        self.since = since
    }
}
