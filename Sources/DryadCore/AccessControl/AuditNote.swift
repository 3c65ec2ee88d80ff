import Foundation
import GRDB

/// What the audit entry of an allowed operation says; operations refine it as they learn more.
struct AuditNote: Sendable {
    var resource: String
    var reason: String
}
