import GRDB
import Testing

@testable import DryadCore

/// Keyset paging visits every row once, in order, whatever the page size and direction.
struct KeysetOrderTests {
    @Test(arguments: [
        KeysetOrder.newestFirst("k", then: "id"),
        KeysetOrder(column: "k", descending: false, tieBreaker: "id", tieBreakerDescending: true),
    ])
    func pagesVisitEveryRowOnceInOrder(order: KeysetOrder) throws {
        let queue = try DatabaseQueue()
        // Few distinct first keys, so most pages end inside a run of ties.
        let rows = (0..<57).map { n in (key: "k\(n % 4)", id: String(format: "%03d", (n * 37) % 57)) }
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k TEXT NOT NULL, id TEXT PRIMARY KEY)")
            for row in rows { try db.execute(sql: "INSERT INTO t VALUES (?, ?)", arguments: [row.key, row.id]) }
        }
        let expected = try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM t \(order.orderBy)") }
        for limit in [1, 5, 10, 100] {
            var seen: [String] = []
            var cursor: String?
            repeat {
                var conditions: [String] = []
                var arguments: [(any DatabaseValueConvertible)?] = []
                try order.continuing(after: cursor, to: &conditions, &arguments)
                arguments.append(limit + 1)
                let sql = "SELECT k, id FROM t \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) \(order.orderBy) LIMIT ?"
                let fetched = try queue.read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) }
                let page = Page.slice(fetched.map { (k: $0["k"] as String, id: $0["id"] as String) }, limit: limit) { [$0.k, $0.id] }
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == expected, "limit \(limit)")
        }
        #expect(expected.count == rows.count)
    }

    @Test func aCursorOfAnotherShapeIsRefused() {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        #expect(throws: DryadError.invalidInput("cursor: not a cursor returned by this listing")) {
            try KeysetOrder.newestFirst("k", then: "id").continuing(after: Cursor.encode(["1"]), to: &conditions, &arguments)
        }
        #expect(conditions.isEmpty)
    }
}
