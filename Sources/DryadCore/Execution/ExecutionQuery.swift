import Foundation

/// Filters for `tools history`.
public struct ExecutionQuery: Sendable, Equatable {
    public var status: ExecutionStatus?
    public var sessionID: String?
    public var since: Date?

    public init(status: ExecutionStatus? = nil, sessionID: String? = nil, since: Date? = nil) {
        self.status = status
        self.sessionID = sessionID
        self.since = since
    }
}
