import Crypto
import Foundation
import GRDB

/// Filters for listing the audit trail.
public struct AuditQuery: Sendable, Equatable {
    public var principal: String?
    public var action: String?
    public var decision: String?
    public var resource: String?
    public var since: Date?

    public init(principal: String? = nil, action: String? = nil, decision: String? = nil, resource: String? = nil, since: Date? = nil) {
        self.principal = principal
        self.action = action
        self.decision = decision
        self.resource = resource
        self.since = since
    }
}
