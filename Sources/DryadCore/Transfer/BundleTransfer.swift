import Foundation
import GRDB

/// Exports the database as a JSON-lines bundle and loads one into an empty database.
///
/// A bundle is a header line, one line per row (`{"row":{…},"table":"…"}`, the stored columns
/// verbatim, keys sorted), and an end line with the row count, so a truncated file is refused.
/// Signing keys and tokens are never exported: secrets stay in the database that made them.
/// Export → import → export gives a byte-identical bundle: rows are written in a fixed order, and
/// an import that carries the audit trail adds nothing to it (the trail is the source's history).
public struct BundleTransfer: Sendable {
    /// The bundle format this build writes and reads.
    public static let format = 1
    /// The longest line an import accepts.
    public static let maxLineBytes = 16 * 1024 * 1024

    let database: DryadDatabase

    /// What a refused row did wrong, in words: SQLite's message quotes a CHECK rule's SQL.
    static func brokenRule(_ message: String?) -> String {
        let message = message ?? ""
        for (prefix, phrase) in [("UNIQUE constraint failed: ", "repeats a unique value of "), ("NOT NULL constraint failed: ", "lacks a value for ")] {
            if message.hasPrefix(prefix) { return phrase + message.dropFirst(prefix.count) }
        }
        if message.hasPrefix("FOREIGN KEY") { return "refers to a row that is not in the file" }
        return "holds a value the schema does not allow"
    }

    // MARK: - Export

    /// Writes a bundle of `sections` from one consistent snapshot, a line at a time, to `sink`.
    public func export(
        _ sections: Set<BundleSection>, to sink: @escaping @Sendable (String) throws -> Void,
        progress: (@Sendable (Int) -> Void)? = nil, as principal: Principal
    ) async throws(DryadError) -> BundleSummary {
        try BundleSection.check(sections)
        let ordered = BundleSection.allCases.filter(sections.contains)
        try await database.authorize(principal, .exportBundle, "bundle")
        let at = database.now()
        // A read snapshot keeps writers going; the audit entry follows, so it is not in this bundle.
        let summary = try await database.read { db in
            try sink(
                JSONValue.object([
                    "dryad_bundle": .integer(Int64(Self.format)), "schema_version": .integer(Int64(DryadDatabase.schemaVersion)),
                    "include": .array(ordered.map { .string($0.rawValue) }),
                ]).canonicalText)
            var rows: [String: Int] = [:]
            var total = 0
            for table in ordered.flatMap(\.tables) {
                let columns = try Self.columns(of: table.name, in: db)
                let cursor = try Row.fetchCursor(
                    db, sql: "SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.order)")
                var count = 0
                while let row = try cursor.next() {
                    var fields: [String: JSONValue] = [:]
                    for (index, column) in columns.enumerated() { fields[column] = try Self.json(row[index] as DatabaseValue, column: column) }
                    try sink(JSONValue.object(["table": .string(table.name), "row": .object(fields)]).canonicalText)
                    count += 1
                    total += 1
                    if total % 1000 == 0 { progress?(total) }
                }
                rows[table.name] = count
            }
            try sink(JSONValue.object(["end": .object(["rows": .integer(Int64(total))])]).canonicalText)
            progress?(total)
            return BundleSummary(sections: ordered, rows: rows)
        }
        _ = try await database.write { db in
            try AuditLog.append(
                principal: principal.name, action: .exportBundle, resource: "bundle:" + ordered.map(\.rawValue).joined(separator: ","),
                allowed: true, reason: "role admin; \(summary.total) rows", requestID: principal.requestID, at: at,
                keyring: database.keyring, in: db)
        }
        return summary
    }

    // MARK: - Import

    /// Loads a bundle into this database, which must be empty, in one transaction: all or nothing.
    ///
    /// - Parameter nextLine: returns the bundle's lines in order, nil at the end.
    public func `import`(
        from nextLine: @escaping @Sendable () throws -> String?, progress: (@Sendable (Int) -> Void)? = nil,
        as principal: Principal
    ) async throws(DryadError) -> BundleSummary {
        try await database.audited(principal, .importBundle, "bundle") { db, note in
            // Rows arrive table by table; references are checked once, at the end. The pragma
            // lasts until the transaction ends, so turn it off for the writes that share it.
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            defer { try? db.execute(sql: "PRAGMA defer_foreign_keys = OFF") }
            var lineNumber = 1
            guard let headerLine = try nextLine() else { throw DryadError.invalidInput("bundle: empty input") }
            let sections = try Self.header(headerLine)
            try Self.requireEmpty(db, replacingTrail: sections.contains(.audit))
            let tables = Dictionary(uniqueKeysWithValues: sections.flatMap(\.tables).map { ($0.name, $0) })
            var columnsByTable: [String: Set<String>] = [:]
            var rows: [String: Int] = [:]
            var total = 0
            var ended = false
            while let line = try nextLine() {
                lineNumber += 1
                guard !ended else { throw DryadError.invalidInput("bundle line \(lineNumber): data after the end line") }
                let value: JSONValue
                do {
                    value = try JSONValue.parse(line)
                } catch let error as DryadError {
                    throw DryadError.invalidInput("bundle line \(lineNumber): \(error.message)")
                }
                if case .object(let end)? = value.objectValue?["end"] {
                    guard end["rows"] == .integer(Int64(total)) else {
                        throw DryadError.invalidInput(
                            "bundle line \(lineNumber): the end line counts \(end["rows"]?.canonicalText ?? "no") rows, the bundle holds \(total)")
                    }
                    ended = true
                    continue
                }
                guard case .string(let tableName)? = value.objectValue?["table"], case .object(let fields)? = value.objectValue?["row"] else {
                    throw DryadError.invalidInput("bundle line \(lineNumber): expected {\"table\":…,\"row\":{…}}")
                }
                guard tables[tableName] != nil else {
                    throw DryadError.invalidInput("bundle line \(lineNumber): table \(ToolRules.printable(tableName)) is not in the bundle's sections")
                }
                if columnsByTable[tableName] == nil { columnsByTable[tableName] = Set(try Self.columns(of: tableName, in: db)) }
                let known = columnsByTable[tableName] ?? []
                let names = fields.keys.sorted()
                if let unknown = names.first(where: { !known.contains($0) }) {
                    throw DryadError.invalidInput("bundle line \(lineNumber): \(tableName) has no column \(ToolRules.printable(unknown))")
                }
                var arguments: [DatabaseValue] = []
                for name in names {
                    guard let stored = Self.databaseValue(fields[name] ?? .null) else {
                        throw DryadError.invalidInput("bundle line \(lineNumber): \(tableName).\(name) must be a string, number or null")
                    }
                    arguments.append(stored)
                }
                let sql =
                    "INSERT INTO \(tableName) (\(names.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))"
                // Cache only the usual every-column insert, so odd column sets cannot fill the cache.
                let statement = names.count == known.count ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
                do {
                    try statement.execute(arguments: StatementArguments(arguments))
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    throw DryadError.invalidInput("bundle line \(lineNumber): \(tableName) row \(Self.brokenRule(error.message))")
                }
                rows[tableName, default: 0] += 1
                total += 1
                if total % 1000 == 0 { progress?(total) }
            }
            guard ended else { throw DryadError.invalidInput("bundle: no end line; the file is truncated") }
            if let broken = try Row.fetchOne(db, sql: "SELECT \"table\", parent FROM pragma_foreign_key_check LIMIT 1") {
                throw DryadError.invalidInput(
                    "bundle: rows of \(broken["table"] as String? ?? "?") point at missing rows of \(broken["parent"] as String? ?? "?")")
            }
            try Self.checkDerivedColumns(db)
            if sections.contains(.audit) {
                let verification = try AuditLog.verifyChain(in: db, keyring: database.keyring)
                guard verification.ok else {
                    throw DryadError.invalidInput("bundle: the audit trail does not verify: \(verification.problem ?? "broken chain")")
                }
            }
            progress?(total)
            note.resource = "bundle:" + sections.map(\.rawValue).joined(separator: ",")
            note.reason = "role admin; \(total) rows"
            return BundleSummary(sections: sections, rows: rows)
        } skipAudit: { summary in
            // The imported trail is the source's history: adding to it would break the round trip.
            summary.sections.contains(.audit)
        }
    }

    /// Parses the header line and checks the format and schema version.
    static func header(_ line: String) throws -> [BundleSection] {
        guard let header = (try? JSONValue.parse(line))?.objectValue, let format = header["dryad_bundle"] else {
            throw DryadError.invalidInput("bundle line 1: not a dryad bundle (no header)")
        }
        guard format == .integer(Int64(Self.format)) else {
            throw DryadError.invalidInput("bundle line 1: bundle format \(format.canonicalText) is not supported (this dryad reads \(Self.format))")
        }
        guard case .integer(let schema)? = header["schema_version"], schema >= 1 else {
            throw DryadError.invalidInput("bundle line 1: schema_version is missing")
        }
        if schema > DryadDatabase.schemaVersion {
            throw DryadError.schemaTooNew(found: Int(schema), supported: DryadDatabase.schemaVersion)
        }
        var sections: [BundleSection] = []
        for item in header["include"]?.arrayValue ?? [] {
            guard let name = item.stringValue, let section = BundleSection(rawValue: name) else {
                throw DryadError.invalidInput("bundle line 1: unknown section \(item.canonicalText)")
            }
            sections.append(section)
        }
        try BundleSection.check(Set(sections))
        return BundleSection.allCases.filter(sections.contains)
    }

    /// Columns that dryad derives (depth, visibility, latest version, precedence key) must agree
    /// with the rows they derive from: a crafted bundle could otherwise store a parent cycle
    /// that recursive queries would never leave, or tools `get` cannot find. Principal names
    /// must be ones `principals add` accepts: `anonymous` signs failed token checks in the trail.
    static func checkDerivedColumns(_ db: Database) throws {
        for name in try String.fetchAll(db, sql: "SELECT name FROM principal") where !PrincipalStore.isValidName(name) {
            throw DryadError.invalidInput("bundle: principal \"\(ToolRules.printable(name))\" has a name dryad refuses (reserved or malformed)")
        }
        if try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM memory_context c JOIN memory_context p ON p.id = c.parent_id
                               WHERE c.depth <> p.depth + 1
                                  OR c.visible_until IS NOT (CASE WHEN c.expires_at IS NULL THEN p.visible_until
                                                                  WHEN p.visible_until IS NULL THEN c.expires_at
                                                                  ELSE min(c.expires_at, p.visible_until) END))
                    OR EXISTS (SELECT 1 FROM memory_context WHERE parent_id IS NULL AND visible_until IS NOT expires_at)
                """) == true
        {
            throw DryadError.invalidInput("bundle: memory contexts whose depth or expiry disagrees with their parent's")
        }
        if try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM tool_registry t
                               WHERE (SELECT count(*) FROM tool_version v WHERE v.tool_id = t.id AND v.is_latest = 1) <> 1)
                """) == true
        {
            throw DryadError.invalidInput("bundle: a tool without exactly one latest version")
        }
        for row in try Row.fetchAll(db, sql: "SELECT version, version_key FROM tool_version") {
            guard let version = SemanticVersion(row["version"] as String), version.precedenceKey == row["version_key"] as String else {
                throw DryadError.invalidInput("bundle: tool version \(row["version"] as String? ?? "?") has a wrong version_key")
            }
        }
        // Pages of tools copy these columns as stored, so they must be exactly what dryad writes.
        for row in try Row.fetchAll(
            db,
            sql:
                "SELECT t.name, v.version, v.input_schema, v.output_schema, v.executor, v.tags, v.metadata FROM tool_version v JOIN tool_registry t ON t.id = v.tool_id"
        ) {
            let name = "\(row[0] as String? ?? "?")@\(row[1] as String? ?? "?")"
            func stored(_ column: Int) throws -> JSONValue? {
                guard let text = row[column] as String? else { return nil }
                let value = try JSONValue.parse(text, maxDepth: 1000)
                guard value.canonicalText == text else { throw DryadError.invalidInput("bundle: tool \(name) has JSON dryad would not have written") }
                return value
            }
            _ = try stored(2)
            _ = try stored(3)
            if let executor = try stored(4), try ToolEndpoint(json: executor, stored: true).json != executor {
                throw DryadError.invalidInput("bundle: tool \(name) has an executor dryad would not have written")
            }
            if let tags = try stored(5), tags.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
                throw DryadError.invalidInput("bundle: tool \(name) has tags that are not a list of strings")
            }
            if let metadata = try stored(6), metadata.objectValue == nil {
                throw DryadError.invalidInput("bundle: tool \(name) has metadata that is not an object")
            }
        }
    }

    /// Import loads into a new database only: merging bundles into live data is not defined.
    ///
    /// A file that holds nothing but its own bookkeeping counts as empty: an audit trail of
    /// reads, checks and refusals only (`db status`, `db migrate`, an import that failed). A bundle
    /// that brings its own trail replaces that bookkeeping (`replacingTrail`); otherwise it stays
    /// and the import is appended to it.
    static func requireEmpty(_ db: Database, replacingTrail: Bool) throws {
        func refuse(_ table: String) -> DryadError {
            .advised(.conflict("import needs an empty database, and \(table) has rows"), Advice(.text("import into a new "), .option("db"), .text(" file")))
        }
        let trail = BundleSection.audit.tables.map(\.name)
        let tables = BundleSection.allCases.flatMap(\.tables).map(\.name).filter { !trail.contains($0) } + ["signing_key", "token"]
        for table in tables where try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table))") == true {
            throw refuse(table)
        }
        // Refusals (a failed import before this one, a bad token) changed nothing either.
        let changes = try String.fetchAll(db, sql: "SELECT DISTINCT action FROM audit_log WHERE decision = 'allow'")
            .filter { AuditAction(rawValue: $0)?.isRead != true }
        guard changes.isEmpty else { throw refuse("audit_log") }
        if replacingTrail {
            for table in trail.reversed() { try db.execute(sql: "DELETE FROM \(table)") }
        }
    }

    /// The table's columns in declaration order.
    static func columns(of table: String, in db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
    }

    static func json(_ value: DatabaseValue, column: String) throws -> JSONValue {
        switch value.storage {
        case .null: return .null
        case .int64(let i): return .integer(i)
        case .double(let d): return .number(d)
        case .string(let s): return .string(s)
        case .blob: throw DryadError.storage("column \(column) holds a blob, which bundles do not carry")
        }
    }

    static func databaseValue(_ value: JSONValue) -> DatabaseValue? {
        switch value {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .number(let d): return d.databaseValue
        case .string(let s): return s.databaseValue
        default: return nil
        }
    }
}

extension DryadDatabase {
    /// Export and import of JSON-lines bundles.
    public var bundles: BundleTransfer { BundleTransfer(database: self) }
}
