import Foundation
import GRDB

/// What the audit entry of an allowed operation says; operations refine it as they learn more.
struct AuditNote: Sendable {
    var resource: String
    var reason: String

    /// The note an allowed operation starts with: admins are allowed by their role, everyone
    /// else by a rule the operation names when it finds it.
    static func allowed(_ resource: String, for principal: Principal) -> AuditNote {
        AuditNote(resource: resource, reason: principal.isAdmin ? "role admin" : "allowed")
    }
}
