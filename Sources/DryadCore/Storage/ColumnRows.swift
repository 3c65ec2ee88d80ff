import GRDB
import GRDBSQLite

/// The current row of a stepping statement, read by column position straight from SQLite.
///
/// GRDB's `Row.fetchOne` and `Row.fetchAll` build a lower-cased column-name index per fetch
/// and copy every value of every row; on the hot reads (a token's state, a tool, a page of
/// tools) that bookkeeping cost more than the query. Columns are read in the positions the
/// statement's SELECT lists them; NULL reads as nil, or as "" / 0 for the non-optional forms.
struct ColumnRow {
    fileprivate let statement: SQLiteStatement

    func string(_ column: Int32) -> String {
        optionalString(column) ?? ""
    }

    func optionalString(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(statement, column))
    }

    func optionalInt(_ column: Int32) -> Int? {
        isNull(column) ? nil : int(column)
    }

    func bool(_ column: Int32) -> Bool {
        sqlite3_column_int64(statement, column) != 0
    }

    func optionalDouble(_ column: Int32) -> Double? {
        isNull(column) ? nil : sqlite3_column_double(statement, column)
    }

    /// The column's size in bytes as stored (0 when NULL), without reading it into a String.
    func byteCount(_ column: Int32) -> Int {
        Int(sqlite3_column_bytes(statement, column))
    }

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(statement, column) == SQLITE_NULL
    }

    /// The column's text as stored, without making a String; empty when NULL.
    private func utf8(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let text = sqlite3_column_text(statement, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column)))
    }

    /// Appends the column's text unchanged (JSON this program stored); false, appending nothing, when NULL.
    func appendRaw(_ column: Int32, to bytes: inout [UInt8]) -> Bool {
        guard !isNull(column) else { return false }
        bytes.append(contentsOf: utf8(column))
        return true
    }

    /// Appends the column's text as a JSON string literal (`""` when NULL).
    func appendQuoted(_ column: Int32, to bytes: inout [UInt8]) {
        JSONStreamEncoder.appendQuoted(utf8: utf8(column), to: &bytes)
    }
}

extension Statement {
    /// Every row the statement yields for `arguments`, each decoded in place.
    func decodeAll<T>(arguments: StatementArguments, _ decode: (ColumnRow) throws -> T) throws -> [T] {
        var results: [T] = []
        try step(arguments: arguments) { row in
            results.append(try decode(row))
            return true
        }
        return results
    }

    /// A page of the rows the statement yields (its SQL asks for `limit + 1`): at most `limit`
    /// items and `PageRequest.maxBytes` of their `bytes`, stepping no further than the page,
    /// with the cursor of the last item when more follow.
    func decodePage<T>(
        arguments: StatementArguments, limit: Int, bytes: (T) -> Int, key: (T) -> [String], _ decode: (ColumnRow) throws -> T
    ) throws -> Page<T> {
        var budget = PageBudget(limit: limit)
        var items: [T] = []
        var next: String?
        try step(arguments: arguments) { row in
            let item = try decode(row)
            guard budget.admits(bytes: bytes(item)) else {
                next = items.last.map { Cursor.encode(key($0)) }
                return false
            }
            items.append(item)
            return true
        }
        return Page(items: items, nextCursor: next)
    }

    /// The first row the statement yields for `arguments`, decoded; nil when there is none.
    func decodeFirst<T>(arguments: StatementArguments, _ decode: (ColumnRow) throws -> T) throws -> T? {
        var result: T?
        try step(arguments: arguments) { row in
            result = try decode(row)
            return false
        }
        return result
    }

    /// Runs a statement that returns no rows with `values` bound in order straight through
    /// SQLite's C API: GRDB's argument boxing cost more than the insert on the audit trail's
    /// hot path (every served read appends an entry).
    func execute(binding values: [BoundValue]) throws {
        let handle = sqliteStatement
        defer { sqlite3_reset(handle) }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .text(var text):
                code = text.withUTF8 { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), transientText) }
            case .integer(let number):
                code = sqlite3_bind_int64(handle, index, Int64(number))
            case .null:
                code = sqlite3_bind_null(handle, index)
            }
            if code != SQLITE_OK { throw error(code) }
        }
        let code = sqlite3_step(handle)
        if code != SQLITE_DONE { throw error(code) }
    }

    /// The connection's last error as GRDB reports it.
    private func error(_ code: Int32) -> DatabaseError {
        let message = sqlite3_db_handle(sqliteStatement).flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }

    /// Binds `arguments` (checked by GRDB) and steps while `body` asks for more rows; the
    /// statement is reset afterwards so it holds no read lock and can be reused.
    /// Steps through the rows, decoding each in place, until `body` returns false.
    func step(arguments: StatementArguments, _ body: (ColumnRow) throws -> Bool) throws {
        try setArguments(arguments)
        defer { sqlite3_reset(sqliteStatement) }
        let row = ColumnRow(statement: sqliteStatement)
        while true {
            let code = sqlite3_step(sqliteStatement)
            switch code {
            case SQLITE_ROW:
                guard try body(row) else { return }
            case SQLITE_DONE:
                return
            default:
                throw error(code)
            }
        }
    }
}

/// SQLite copies text bound with this destructor before the bind call returns.
private let transientText = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
