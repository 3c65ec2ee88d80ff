import GRDB
import Testing

@testable import DryadCore

@Suite struct ColumnRowsTests {
    private func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, flag INTEGER);
                    INSERT INTO t VALUES (1, 'ünïcode', 1.5, 1), (2, NULL, NULL, 0), (3, '', 2, NULL);
                    """)
        }
        return queue
    }

    @Test func readsColumnsByPositionWithNulls() throws {
        let rows = try database().read { db in
            try db.makeStatement(sql: "SELECT id, name, score, flag FROM t ORDER BY id").decodeAll(arguments: []) { row in
                (row.int(0), row.optionalString(1), row.optionalDouble(2), row.bool(3), row.optionalInt(3), row.isNull(1))
            }
        }
        #expect(rows.count == 3)
        #expect(rows[0] == (1, "ünïcode", 1.5, true, 1, false))
        #expect(rows[1] == (2, nil, nil, false, 0, true))
        #expect(rows[2] == (3, "", 2.0, false, nil, false))
    }

    @Test func firstRowOrNilAndTheStatementIsReusable() throws {
        try database().read { db in
            let statement = try db.cachedStatement(sql: "SELECT name FROM t WHERE id >= ? ORDER BY id")
            #expect(try statement.decodeFirst(arguments: [3]) { $0.string(0) } == "")
            #expect(try statement.decodeFirst(arguments: [1]) { $0.string(0) } == "ünïcode")
            #expect(try statement.decodeFirst(arguments: [9]) { $0.string(0) } == nil)
            // Wrong argument counts are GRDB's usual error, not a crash.
            #expect(throws: DatabaseError.self) { try statement.decodeFirst(arguments: [1, 2]) { $0.string(0) } }
        }
    }

    @Test func stepErrorsAreDatabaseErrorsAndDecodeErrorsPassThrough() throws {
        try database().read { db in
            // abs() of the smallest integer overflows at step time.
            let overflow = try db.makeStatement(sql: "SELECT abs(-9223372036854775807 - 1)")
            #expect(throws: DatabaseError.self) { try overflow.decodeAll(arguments: []) { $0.int(0) } }
            struct Refused: Error {}
            let statement = try db.makeStatement(sql: "SELECT id FROM t")
            #expect(throws: Refused.self) { try statement.decodeAll(arguments: []) { _ in throw Refused() } }
            #expect(try statement.decodeAll(arguments: []) { $0.int(0) } == [1, 2, 3])
        }
    }
}
