import GRDB
import GRDBSQLite

/// A value for `Statement.execute(binding:)`.
enum BoundValue {
    case text(String)
    case integer(Int)
    case null

    /// Text, or NULL when nil.
    static func text(_ value: String?) -> BoundValue {
        value.map(BoundValue.text) ?? .null
    }
}
