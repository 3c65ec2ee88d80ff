import GRDB

/// The order of a keyset listing: a first column (a time or a name) and a unique second one
/// (an id or a version key) that breaks ties. A page continues after the last row shown,
/// so paging stays stable while rows are added or removed (an offset would skip or repeat).
struct KeysetOrder: Sendable {
    /// The first sort column, as the query names it (`s.created_at`).
    let column: String
    let descending: Bool
    /// The tie-breaking column (`s.id`); unique within the listing.
    let tieBreaker: String
    let tieBreakerDescending: Bool

    /// Newest first by `column`, ties by `tieBreaker` descending: the order of most listings.
    static func newestFirst(_ column: String, then tieBreaker: String) -> KeysetOrder {
        KeysetOrder(column: column, descending: true, tieBreaker: tieBreaker, tieBreakerDescending: true)
    }

    /// `ORDER BY …` for the query.
    var orderBy: String {
        "ORDER BY \(column) \(descending ? "DESC" : "ASC"), \(tieBreaker) \(tieBreakerDescending ? "DESC" : "ASC")"
    }

    /// Adds the condition that continues after `cursor` (a key `Page.slice` made from the last
    /// row of the previous page); nothing when there is no cursor.
    func continuing(
        after cursor: String?, to conditions: inout [String], _ arguments: inout [(any DatabaseValueConvertible)?]
    ) throws(DryadError) {
        guard let continuation = try continuation(after: cursor) else { return }
        conditions.append(continuation.sql)
        arguments += continuation.arguments
    }

    /// The condition that continues after `cursor`, with its arguments; nil without a cursor.
    /// Decoding it before a transaction refuses a bad cursor without reading anything.
    func continuation(after cursor: String?) throws(DryadError) -> (sql: String, arguments: [String])? {
        guard let cursor else { return nil }
        let key = try Cursor.decode(cursor, fields: 2)
        let past = descending ? "<" : ">"
        let tiePast = tieBreakerDescending ? "<" : ">"
        return ("(\(column) \(past) ? OR (\(column) = ? AND \(tieBreaker) \(tiePast) ?))", [key[0], key[0], key[1]])
    }
}
