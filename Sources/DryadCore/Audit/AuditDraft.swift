import Crypto
import Foundation
import GRDB

/// What an audit entry records, before it is chained.
struct AuditDraft: Sendable {
    var principal: String
    var action: String
    var resource: String
    var allowed: Bool
    var reason: String
    var requestID: String?
    var at: String
}
