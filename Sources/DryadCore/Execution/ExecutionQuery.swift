import Foundation

/// Filters for `tools history` and `executions list`.
public struct ExecutionQuery: Sendable, Equatable {
    public var status: ExecutionStatus?
    public var sessionID: String?
    /// Runs in this memory context only.
    public var contextID: String?
    /// Runs by this principal only.
    public var principal: String?
    public var since: Date?

    public init(status: ExecutionStatus? = nil, sessionID: String? = nil, contextID: String? = nil, principal: String? = nil, since: Date? = nil) {
        self.status = status
        self.sessionID = sessionID
        self.contextID = contextID
        self.principal = principal
        self.since = since
    }
}
