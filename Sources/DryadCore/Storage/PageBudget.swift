import GRDB

/// What one page may still take: items up to its limit and bytes up to `PageRequest.maxBytes`.
///
/// The first item is always taken, however large (a context's data is capped on its own), so
/// every page moves the listing on.
struct PageBudget {
    let limit: Int
    private(set) var items = 0
    private(set) var bytes = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes an item of `size` bytes if the page has room for it.
    mutating func admits(bytes size: Int) -> Bool {
        if items > 0, items >= limit || bytes + size > PageRequest.maxBytes { return false }
        items += 1
        bytes += size
        return true
    }
}

extension Page {
    /// A page read from `rows` one row at a time (the query asks for at most `limit + 1`): at
    /// most `limit` items and `PageRequest.maxBytes` of what `bytes` counts for each row, reading
    /// no row past the one that does not fit, with the cursor of the last item when more follow.
    static func collect(
        _ rows: RowCursor, limit: Int, bytes: (Row) -> Int, key: (Item) -> [String], _ decode: (Row) throws -> Item
    ) throws -> Page {
        var budget = PageBudget(limit: limit)
        var items: [Item] = []
        while let row = try rows.next() {
            guard budget.admits(bytes: bytes(row)) else { return Page(items: items, nextCursor: items.last.map { Cursor.encode(key($0)) }) }
            items.append(try decode(row))
        }
        return Page(items: items, nextCursor: nil)
    }

    /// The stored text of `columns` in `row`, in bytes: what a page of records carries.
    static func textBytes(_ row: Row, _ columns: String...) -> Int {
        columns.reduce(0) { total, column in total + ((row[column] as String?)?.utf8.count ?? 0) }
    }
}
