import Foundation
import GRDB

/// A refusal raised inside a transaction: the transaction rolls back, the refusal is audited
/// in its own transaction, and `error` reaches the caller.
struct Denial: Error {
    /// What the caller sees: not found for what it may not read, permission denied otherwise.
    var error: DryadError
    /// The rule that refused, for the audit trail.
    var reason: String
}
