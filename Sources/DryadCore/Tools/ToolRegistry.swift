import Foundation
import GRDB

/// Registers, finds, updates and deletes tool versions: the tool registry's named transactions.
public struct ToolRegistry: Sendable {
    let database: DryadDatabase

    // MARK: - Register

    /// Registers tool versions, all or none; a new name creates the tool, a known name adds a version.
    public func register(_ definitions: [ToolDefinition], as principal: Principal) async throws(DryadError) -> [ToolVersion] {
        guard !definitions.isEmpty else { throw .invalidInput("no tool definitions given") }
        let now = database.now()
        let resource = definitions.map { "tool:\($0.name)@\($0.version)" }.joined(separator: ",")
        return try await database.audited(principal, .toolsRegister, resource) { db, note in
            var reasons: Set<String> = []
            let registered = try definitions.map { definition in
                // A new name needs an admin; a new version of a known tool needs write on it. A
                // tool the caller cannot see answers as a new name does, so names stay hidden.
                if let existing = try Self.resolveOptional(.nameOrID(definition.name), byNameOnly: true, in: db),
                    try AccessCheck.toolDecision(principal, toolID: existing.id, level: .read, in: db).allowed
                {
                    reasons.insert(try AccessCheck.requireTool(.write, existing, asked: .nameOrID(definition.name), principal, in: db))
                    try AccessRules.requireExecutorChoice(principal, tool: existing.name, from: existing.executor, to: definition.executor)
                    try AccessRules.requireInputSchemaChoice(
                        principal, tool: existing.name, executor: definition.executor, from: existing.inputSchema, to: definition.inputSchema)
                    try AccessRules.requireStatusChoice(principal, tool: existing.name, from: existing.status, to: definition.status)
                } else {
                    try AccessRules.requireAdmin(principal)
                    reasons.insert("role admin")
                }
                return try Self.insert(definition, at: now, in: db)
            }
            note.reason = reasons.sorted().joined(separator: "; ")
            return registered
        }
    }

    static func insert(_ definition: ToolDefinition, at now: String, in db: Database) throws -> ToolVersion {
        try ToolRules.check(definition, path: "")
        guard let version = SemanticVersion(definition.version) else {
            throw DryadError.invalidInput("version: \"\(definition.version)\" is not a semantic version")
        }
        let toolID: String
        if let existing = try String.fetchOne(db, sql: "SELECT id FROM tool_registry WHERE name = ?", arguments: [definition.name]) {
            toolID = existing
            if let clash = try String.fetchOne(
                db, sql: "SELECT version FROM tool_version WHERE tool_id = ? AND version_key = ?",
                arguments: [toolID, version.precedenceKey])
            {
                throw DryadError.conflict(
                    clash == definition.version
                        ? "tool \(definition.name)@\(definition.version) already exists"
                        : "tool \(definition.name)@\(definition.version) has the same precedence as existing version \(clash)")
            }
        } else {
            toolID = UUID().uuidString.lowercased()
            try db.execute(
                sql: "INSERT INTO tool_registry (id, name, created_at) VALUES (?, ?, ?)",
                arguments: [toolID, definition.name, now])
        }
        try db.execute(
            sql: """
                INSERT INTO tool_version (tool_id, version, version_key, description, input_schema, output_schema,
                    executor, tags, metadata, status, revision, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                """,
            arguments: [
                toolID, definition.version, version.precedenceKey, definition.description,
                definition.inputSchema.canonicalText, definition.outputSchema?.canonicalText,
                definition.executor?.json.canonicalText, JSONValue.array(definition.tags.map(JSONValue.string)).canonicalText,
                JSONValue.object(definition.metadata).canonicalText, definition.status.rawValue, now, now,
            ])
        try refreshLatest(toolID: toolID, in: db)
        return try fetchVersion(toolID: toolID, versionKey: version.precedenceKey, in: db)
    }

    // MARK: - Read

    /// The version a reference names: `NAME@VERSION` exactly, or the latest version of a name or id.
    public func get(_ reference: ToolReference, as principal: Principal) async throws(DryadError) -> ToolVersion {
        try await database.audited(principal, .toolsGet, "tool:\(reference)") { db, note in
            let tool = try Self.resolve(reference, in: db)
            note.resource = "tool:\(tool.reference)"
            note.reason = try AccessCheck.requireTool(.read, tool, asked: reference, principal, in: db)
            return tool
        }
    }

    /// One page of tools sorted by name (then version, newest first), filtered by `query`.
    public func list(_ query: ToolQuery, page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError) -> Page<ToolVersion> {
        try await list(query, page: page, as: principal) { row in
            let tool = try Self.decode(row)
            return (tool, [tool.name, try Self.versionKey(of: tool)])
        }
    }

    /// The same page as `list`, each tool already written as the JSON object `ToolVersion` encodes to.
    ///
    /// For callers that only print the page (the server): the stored schemas, executor, tags and
    /// metadata are copied as stored instead of parsed and encoded again, which was most of the
    /// cost of serving a page.
    /// A server keeps these pages in its read cache while no tool, version, grant or principal changes.
    public func listEncoded(_ query: ToolQuery, page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError) -> Page<EncodedJSON> {
        let plan = ReadCache.Plan(
            .tools,
            [
                "tools.list", query.text, query.status?.rawValue, query.sandbox?.rawValue, String(query.allVersions), String(page.limit), page.cursor,
                query.can?.rawValue, String(query.tags.count),
            ]
                + query.tags)
        let cache = CachedRead<Page<EncodedJSON>>(plan: plan) { page in page.items.reduce(64) { $0 + $1.bytes.capacity + 32 } }
        return try await list(query, page: page, as: principal, cache: cache) { row in
            (try Self.encoded(row).compacted(), [row.string(1), row.string(3)])
        }
    }

    /// One page of `selectVersion` rows turned into items by `item`, which also gives each item's cursor key.
    private func list<Item: Sendable>(
        _ query: ToolQuery, page: PageRequest, as principal: Principal, cache: CachedRead<Page<Item>>? = nil,
        _ item: @escaping @Sendable (ColumnRow) throws -> (Item, [String])
    ) async throws(DryadError) -> Page<Item> {
        let scope = CursorScope(
            "tools.list", [query.text, query.status?.rawValue, query.sandbox?.rawValue, String(query.allVersions), query.can?.rawValue] + query.tags.map { $0 })
        let page = try page.validated(for: scope)
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let readable = PermissionStore.visibleToolsCondition(AccessRules.visibleTools(principal), level: query.can) {
            conditions.append(readable.sql)
            arguments += readable.arguments
        }
        if !query.allVersions {
            conditions.append("v.is_latest = 1")
        }
        if let status = query.status {
            conditions.append("v.status = ?")
            arguments.append(status.rawValue)
        }
        if let sandbox = query.sandbox {
            conditions.append("json_extract(v.executor, '$.kind') = 'command' AND json_extract(v.executor, '$.sandbox.mode') = ?")
            arguments.append(sandbox.rawValue)
        }
        if let text = query.text, !text.isEmpty {
            let pattern = "%" + Self.escapeLike(text) + "%"
            conditions.append(
                """
                (t.name LIKE ? ESCAPE '\\' OR v.description LIKE ? ESCAPE '\\'
                 OR EXISTS (SELECT 1 FROM json_each(v.tags) WHERE value LIKE ? ESCAPE '\\'))
                """)
            arguments += [pattern, pattern, pattern]
        }
        for tag in query.tags {
            conditions.append("EXISTS (SELECT 1 FROM json_each(v.tags) WHERE value = ?)")
            arguments.append(tag)
        }
        // By name, and within a name the newest version first.
        let order = KeysetOrder(column: "t.name", descending: false, tieBreaker: "v.version_key", tieBreakerDescending: true)
        try order.continuing(after: page.cursor, to: &conditions, &arguments)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "\(Self.selectVersion) \(whereClause) \(order.orderBy) LIMIT ?"
        arguments.append(page.limit + 1)
        let statementArguments = StatementArguments(arguments)
        let limit = page.limit
        return try await database.audited(principal, .toolsList, "tools", cache: cache) { db, note in
            if !principal.isAdmin { note.reason = "readable tools only" }
            // Capped in bytes too: a version may hold two schemas of 1 MiB and 64 KiB of metadata.
            var budget = PageBudget(limit: limit)
            var items: [Item] = []
            var lastKey: [String]?
            var next: String?
            try db.cachedStatement(sql: sql).step(arguments: statementArguments) { row in
                let size = row.byteCount(5) + row.byteCount(6) + row.byteCount(7) + row.byteCount(9)
                guard budget.admits(bytes: size) else {
                    next = lastKey.map(Cursor.encode)
                    return false
                }
                let (value, key) = try item(row)
                items.append(value)
                lastKey = key
                return true
            }
            return Page(items: items, nextCursor: next).scoped(scope)
        }
    }

    // MARK: - Update

    /// Changes the mutable fields of one version and bumps its revision.
    ///
    /// - Parameter ifRevision: when given, the update is refused unless the version is at that revision.
    public func update(
        _ reference: ToolReference, _ changes: ToolChanges, ifRevision: ExpectedNumbers? = nil,
        as principal: Principal
    ) async throws(DryadError) -> ToolVersion {
        guard !changes.isEmpty else { throw .invalidInput("nothing to update: give at least one field to change") }
        let now = database.now()
        return try await database.audited(principal, .toolsUpdate, "tool:\(reference)") { db, note in
            let tool = try Self.resolve(reference, in: db)
            note.resource = "tool:\(tool.reference)"
            note.reason = try AccessCheck.requireTool(.write, tool, asked: reference, principal, in: db)
            // A stale precondition answers before anything about the new content (RFC 9110 §13.2.2).
            try Precondition.check(ifRevision, current: tool.revision, of: "tool \(tool.reference)", counting: "revision")
            if let description = changes.description { try ToolRules.checkDescription(description, path: "description") }
            if let tags = changes.tags { try ToolRules.checkTags(tags, path: "tags") }
            if let metadata = changes.metadata { try ToolRules.checkMetadata(metadata, path: "metadata") }
            if case .timeout(let seconds)? = changes.executor, !(seconds > 0 && seconds <= ToolEndpoint.maxTimeoutSeconds) {
                throw DryadError.invalidInput("timeout: must be greater than 0 and at most \(Int(ToolEndpoint.maxTimeoutSeconds))")
            }
            switch changes.executor {
            case .replace(let executor)?: try AccessRules.requireExecutorChoice(principal, tool: tool.name, from: tool.executor, to: executor)
            case .remove?: try AccessRules.requireExecutorChoice(principal, tool: tool.name, from: tool.executor, to: nil)
            case .timeout?, nil: break
            }
            if let status = changes.status { try AccessRules.requireStatusChoice(principal, tool: tool.reference, from: tool.status, to: status) }
            return try Self.change(tool, changes, at: now, in: db)
        }
    }

    /// Refuses an update of `reference` unless the version is at one of `expected`'s revisions:
    /// the precondition alone, for an interface to answer before it reads the new content.
    /// Audited as the read it is: the update it precedes did not happen.
    public func requireRevision(_ reference: ToolReference, _ expected: ExpectedNumbers, as principal: Principal) async throws(DryadError) {
        try await database.audited(principal, .toolsGet, "tool:\(reference)") { db, note in
            let tool = try Self.resolve(reference, in: db)
            note.resource = "tool:\(tool.reference)"
            note.reason = try AccessCheck.requireTool(.write, tool, asked: reference, principal, in: db)
            try Precondition.check(expected, current: tool.revision, of: "tool \(tool.reference)", counting: "revision")
        }
    }

    /// Makes one version's mutable fields match `definition` (the REST `PUT`): the definition must
    /// name that version and keep its schemas, which are fixed per version. One transaction, so
    /// the checks and the change see the same version.
    public func replace(
        _ reference: ToolReference, with definition: ToolDefinition, ifRevision: ExpectedNumbers? = nil,
        as principal: Principal
    ) async throws(DryadError) -> ToolVersion {
        let changes = ToolChanges(
            description: definition.description, tags: definition.tags, metadata: definition.metadata,
            status: definition.status, executor: definition.executor.map { .replace($0) } ?? .remove)
        let now = database.now()
        return try await database.audited(principal, .toolsUpdate, "tool:\(reference)") { db, note in
            let tool = try Self.resolve(reference, in: db)
            note.resource = "tool:\(tool.reference)"
            note.reason = try AccessCheck.requireTool(.write, tool, asked: reference, principal, in: db)
            // A stale precondition answers before anything about the new content (RFC 9110 §13.2.2).
            try Precondition.check(ifRevision, current: tool.revision, of: "tool \(tool.reference)", counting: "revision")
            try ToolRules.check(definition, path: "")
            guard definition.name == tool.name, SemanticVersion(definition.version) == SemanticVersion(tool.version) else {
                throw DryadError.invalidInput("the definition names \(definition.name)@\(definition.version), not \(tool.reference)")
            }
            guard definition.inputSchema == tool.inputSchema, definition.outputSchema == tool.outputSchema else {
                throw DryadError.invalidInput("schemas are fixed per version: register a new version to change them")
            }
            try AccessRules.requireExecutorChoice(principal, tool: tool.name, from: tool.executor, to: definition.executor)
            try AccessRules.requireStatusChoice(principal, tool: tool.reference, from: tool.status, to: definition.status)
            return try Self.change(tool, changes, at: now, in: db)
        }
    }

    /// Writes checked changes to one version, bumps its revision, and returns the stored result;
    /// changes that leave every field as it is write nothing (others' `If-Match` still holds).
    static func change(_ original: ToolVersion, _ changes: ToolChanges, at now: String, in db: Database) throws -> ToolVersion {
        var tool = original
        if let description = changes.description { tool.description = description }
        if let tags = changes.tags { tool.tags = tags }
        if let metadata = changes.metadata { tool.metadata = metadata }
        if let status = changes.status { tool.status = status }
        switch changes.executor {
        case nil: break
        case .replace(let executor)?: tool.executor = executor
        case .remove?: tool.executor = nil
        case .timeout(let seconds)?:
            guard let executor = tool.executor else {
                throw DryadError.conflict("tool \(tool.reference) has no executor to set a timeout on")
            }
            tool.executor = executor.withTimeout(seconds)
        }
        if tool.description == original.description, tool.tags == original.tags, tool.metadata == original.metadata, tool.status == original.status,
            tool.executor == original.executor
        {
            return original
        }
        let key = try Self.versionKey(of: tool)
        try db.execute(
            sql: """
                UPDATE tool_version SET description = ?, tags = ?, metadata = ?, status = ?, executor = ?,
                    revision = revision + 1, updated_at = ?
                WHERE tool_id = ? AND version_key = ?
                """,
            arguments: [
                tool.description, JSONValue.array(tool.tags.map(JSONValue.string)).canonicalText,
                JSONValue.object(tool.metadata).canonicalText, tool.status.rawValue,
                tool.executor?.json.canonicalText, now, tool.id, key,
            ])
        if changes.status != nil { try Self.refreshLatest(toolID: tool.id, in: db) }
        return try Self.fetchVersion(toolID: tool.id, versionKey: key, in: db)
    }

    // MARK: - Delete

    /// Deletes one version (`NAME@VERSION`) or, with `allVersions`, the whole tool; returns what was deleted.
    public func delete(_ reference: ToolReference, allVersions: Bool = false, ifRevision: ExpectedNumbers? = nil, as principal: Principal)
        async throws(DryadError)
        -> [ToolVersion]
    {
        if case .version = reference, allVersions {
            throw .advised(
                .invalidInput("\(reference) names a single version"), Advice(.text("name the tool without @VERSION to use "), .option("all_versions")))
        }
        return try await database.audited(principal, .toolsDelete, "tool:\(reference)") { db, note in
            let target = try Self.resolve(reference, in: db)
            if case .version = reference { note.resource = "tool:\(target.reference)" } else { note.resource = "tool:\(target.name)" }
            note.reason = try AccessCheck.requireTool(.write, target, asked: reference, principal, in: db)
            try Precondition.check(ifRevision, current: target.revision, of: "tool \(target.reference)", counting: "revision")
            let deleted: [ToolVersion]
            if case .version = reference {
                deleted = [target]
                try db.execute(
                    sql: "DELETE FROM tool_version WHERE tool_id = ? AND version_key = ?",
                    arguments: [target.id, try Self.versionKey(of: target)])
            } else {
                deleted = try db.makeStatement(sql: "\(Self.selectVersion) WHERE t.id = ? ORDER BY v.version_key DESC")
                    .decodeAll(arguments: [target.id], Self.decode)
                if deleted.count > 1 && !allVersions {
                    throw DryadError.advised(
                        .conflict("tool \(target.name) has \(deleted.count) versions"),
                        Advice(.text("name one as \(target.name)@VERSION or pass "), .option("all_versions")))
                }
                try db.execute(sql: "DELETE FROM tool_version WHERE tool_id = ?", arguments: [target.id])
            }
            let remaining = try Int.fetchOne(db, sql: "SELECT count(*) FROM tool_version WHERE tool_id = ?", arguments: [target.id]) ?? 0
            if remaining == 0 {
                try db.execute(sql: "DELETE FROM tool_registry WHERE id = ?", arguments: [target.id])
            } else {
                try Self.refreshLatest(toolID: target.id, in: db)
            }
            return deleted
        }
    }

    // MARK: - Queries

    /// The columns `decode` reads, in the positions it reads them.
    static let selectVersion = """
        SELECT t.id, t.name, v.version, v.version_key, v.description, v.input_schema, v.output_schema, v.executor,
               v.tags, v.metadata, v.status, v.revision, v.created_at, v.updated_at
        FROM tool_version v JOIN tool_registry t ON t.id = v.tool_id
        """

    static func resolve(_ reference: ToolReference, in db: Database) throws -> ToolVersion {
        guard let tool = try resolveOptional(reference, in: db) else { throw DryadError.notFound("tool \(reference) not found") }
        return tool
    }

    /// The version a reference names, or nil; `byNameOnly` ignores ids.
    static func resolveOptional(_ reference: ToolReference, byNameOnly: Bool = false, in db: Database) throws -> ToolVersion? {
        switch reference {
        case .version(let name, let version):
            return try db.cachedStatement(sql: "\(selectVersion) WHERE t.name = ? AND v.version_key = ?")
                .decodeFirst(arguments: [name, version.precedenceKey], decode)
        case .nameOrID(let text) where byNameOnly:
            return try db.cachedStatement(sql: "\(selectVersion) WHERE t.name = ? AND v.is_latest = 1").decodeFirst(arguments: [text], decode)
        case .nameOrID(let text):
            // A name wins over an id, so a tool whose name looks like a UUID stays reachable.
            return try db.cachedStatement(
                sql: "\(selectVersion) WHERE (t.name = ?1 OR t.id = ?1) AND v.is_latest = 1 ORDER BY t.name = ?1 DESC LIMIT 1"
            )
            .decodeFirst(arguments: [text], decode)
        }
    }

    /// Every version string of the tool `toolID`, whatever its status.
    static func versions(toolID: String, in db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT version FROM tool_version WHERE tool_id = ?", arguments: [toolID])
    }

    /// The latest version of every tool whose latest version runs on the upstream server `server`.
    static func latestOnServer(_ server: String, in db: Database) throws -> [ToolVersion] {
        try db.cachedStatement(
            sql: """
                \(selectVersion) WHERE v.is_latest = 1 AND json_valid(v.executor)
                  AND json_extract(v.executor, '$.kind') = 'mcp' AND json_extract(v.executor, '$.server') = ?
                ORDER BY t.name
                """
        ).decodeAll(arguments: [server], decode)
    }

    static func fetchVersion(toolID: String, versionKey: String, in db: Database) throws -> ToolVersion {
        guard
            let tool = try db.cachedStatement(sql: "\(selectVersion) WHERE t.id = ? AND v.version_key = ?")
                .decodeFirst(arguments: [toolID, versionKey], decode)
        else {
            throw DryadError.notFound("tool version not found")
        }
        return tool
    }

    /// Marks the highest non-disabled version as latest (or the highest one when all are disabled).
    static func refreshLatest(toolID: String, in db: Database) throws {
        // Two statements: the partial unique index is checked row by row, so clear before set.
        try db.execute(sql: "UPDATE tool_version SET is_latest = 0 WHERE tool_id = ? AND is_latest = 1", arguments: [toolID])
        try db.execute(
            sql: """
                UPDATE tool_version SET is_latest = 1
                WHERE tool_id = ?1 AND version_key = (
                    SELECT version_key FROM tool_version WHERE tool_id = ?1
                    ORDER BY status = 'disabled', version_key DESC LIMIT 1)
                """,
            arguments: [toolID])
    }

    static func versionKey(of tool: ToolVersion) throws -> String {
        guard let version = SemanticVersion(tool.version) else {
            throw DryadError.storage("stored version \(tool.version) of \(tool.name) is not a semantic version")
        }
        return version.precedenceKey
    }

    /// Decodes a row of `selectVersion` by column position: looking columns up by name
    /// (case-insensitively) was a tenth of a served tool read.
    static func decode(_ row: ColumnRow) throws -> ToolVersion {
        func json(_ index: Int32, _ column: String) throws -> JSONValue? {
            guard let text = row.optionalString(index) else { return nil }
            do {
                // Stored JSON was checked on the way in, so no depth limit below SQLite's own.
                return try JSONValue.parse(text, maxDepth: 1000)
            } catch {
                throw DryadError.storage("stored \(column) is not valid JSON")
            }
        }
        let executor: ToolEndpoint? = try json(7, "executor").map { try ToolEndpoint(json: $0, stored: true) }
        let tags = (try json(8, "tags")?.arrayValue ?? []).compactMap { $0.stringValue }
        guard let status = ToolStatus(rawValue: row.string(10)) else {
            throw DryadError.storage("stored status is not valid")
        }
        return ToolVersion(
            id: row.string(0), name: row.string(1), version: row.string(2), description: row.string(4),
            inputSchema: try json(5, "input_schema") ?? ToolDefinition.defaultInputSchema,
            outputSchema: try json(6, "output_schema"), executor: executor, tags: tags,
            metadata: try json(9, "metadata")?.objectValue ?? [:], status: status, revision: row.int(11),
            createdAt: row.string(12), updatedAt: row.string(13))
    }

    /// Writes a row of `selectVersion` as `ToolVersion.encode(to:)` would, copying the stored JSON columns.
    ///
    /// Stored JSON is canonical (this program wrote it with sorted keys; an import refuses columns
    /// that differ from what it would write), so objects nested in a tool may list their keys in
    /// another order than a parsed-and-encoded tool; the values are equal.
    static func encoded(_ row: ColumnRow) throws -> EncodedJSON {
        guard ToolStatus(rawValue: row.string(10)) != nil else {
            throw DryadError.storage("stored status is not valid")
        }
        var out: [UInt8] = []
        out.reserveCapacity(512)
        func key(_ name: StaticString) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        func raw(_ name: StaticString, _ column: Int32, orElse absent: String) {
            key(name)
            if !row.appendRaw(column, to: &out) { out.append(contentsOf: absent.utf8) }
        }
        key("id"); row.appendQuoted(0, to: &out)
        key("name"); row.appendQuoted(1, to: &out)
        key("version"); row.appendQuoted(2, to: &out)
        key("description"); row.appendQuoted(4, to: &out)
        raw("input_schema", 5, orElse: Self.defaultInputSchemaText)
        raw("output_schema", 6, orElse: "null")
        raw("executor", 7, orElse: "null")
        raw("tags", 8, orElse: "[]")
        raw("metadata", 9, orElse: "{}")
        key("status"); row.appendQuoted(10, to: &out)
        key("revision"); out.append(contentsOf: String(row.int(11)).utf8)
        key("created_at"); row.appendQuoted(12, to: &out)
        key("updated_at"); row.appendQuoted(13, to: &out)
        out.append(UInt8(ascii: "}"))
        return EncodedJSON(bytes: out)
    }

    private static let defaultInputSchemaText = ToolDefinition.defaultInputSchema.canonicalText

    private static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for c in text {
            if c == "%" || c == "_" || c == "\\" { escaped.append("\\") }
            escaped.append(c)
        }
        return escaped
    }
}

extension DryadDatabase {
    /// The tool registry stored in this database.
    public var tools: ToolRegistry { ToolRegistry(database: self) }
}
