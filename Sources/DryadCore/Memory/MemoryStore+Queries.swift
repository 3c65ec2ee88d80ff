import Foundation
import GRDB

extension MemoryStore {
    // MARK: - Get

    /// One context with its shares and the count of its unresolved error logs.
    public func get(_ id: String, as principal: Principal) async throws(DryadError) -> MemoryContext {
        try await get(.id(id), as: principal)
    }

    /// One context, by id or by its agent's key; `withRuns` adds its latest runs and open errors.
    public func get(_ reference: ContextReference, withRuns: Bool = false, as principal: Principal) async throws(DryadError) -> MemoryContext {
        let now = database.now()
        return try await database.audited(principal, .memoryGet, "memory:\(reference.auditName)", unbounded: withRuns) { db, note in
            let id = try Self.readable(reference, now: now, principal, in: db)
            note.resource = "memory:\(id)"
            var context = try Self.fetch(id, now: now, in: db)
            note.reason = try AccessCheck.requireContext(.read, context, principal, in: db)
            context.unresolvedErrors = try Self.unresolvedErrors(of: context, seenBy: principal, now: now, in: db)
            if withRuns { (context.runs, context.openErrors) = try Self.activity(of: id, principal, now: now, in: db) }
            return context
        }
    }

    /// The context with `data` replaced by the effective data after inheritance: the ancestors'
    /// data merged from the root down (RFC 7396), with the source of every leaf when `explain`.
    public func resolved(_ id: String, explain: Bool, as principal: Principal) async throws(DryadError) -> MemoryContext {
        try await resolved(.id(id), explain: explain, as: principal)
    }

    /// `resolved`, for a context named by id or by its agent's key.
    public func resolved(_ reference: ContextReference, explain: Bool, withRuns: Bool = false, as principal: Principal) async throws(DryadError)
        -> MemoryContext
    {
        try await resolved(reference, explain: explain, withRuns: withRuns, now: database.now(), as: principal, cache: nil) { context, _ in context }
    }

    /// The id `reference` names, when `principal` may read that context; a key of a context it
    /// may not read is not found, exactly as a key no context has.
    static func readable(_ reference: ContextReference, now: String, _ principal: Principal, in db: Database) throws -> String {
        let id = try reference.resolve(now: now, in: db)
        if case .key = reference, !principal.isAdmin {
            let context = try fetch(id, now: now, in: db)
            guard try AccessCheck.contextAccess(principal, contextID: id, owner: context.agentID, in: db).access != nil else {
                throw Denial(error: .notFound("\(reference) not found"), reason: "context not readable")
            }
        }
        return id
    }

    /// `resolved` written as JSON, with the context's version (its ETag); a server keeps these
    /// in its read cache while no context, share, error log or principal changes.
    public func resolvedEncoded(_ id: String, explain: Bool, as principal: Principal) async throws(DryadError) -> EncodedRecord {
        let now = database.now()
        let plan = ReadCache.Plan(.memory, ["memory.resolved", id, String(explain)], visibleAt: now)
        return try await resolved(.id(id), explain: explain, now: now, as: principal, cache: CachedRead(plan: plan) { $0.json.bytes.capacity }) {
            context, entityTag in
            EncodedRecord(json: try EncodedJSON(encoding: context).compacted(), entityTag: entityTag)
        }
    }

    private func resolved<Item: Sendable>(
        _ reference: ContextReference, explain: Bool, withRuns: Bool = false, now: String, as principal: Principal, cache: CachedRead<Item>?,
        _ item: @escaping @Sendable (MemoryContext, _ entityTag: String) throws -> Item
    ) async throws(DryadError) -> Item {
        try await database.audited(principal, .memoryGet, "memory:\(reference.auditName)", cache: cache, unbounded: withRuns) { db, note in
            let id = try Self.readable(reference, now: now, principal, in: db)
            note.resource = "memory:\(id)"
            var context = try Self.fetch(id, now: now, in: db)
            note.reason = try AccessCheck.requireContext(.read, context, principal, in: db)
            context.unresolvedErrors = try Self.unresolvedErrors(of: context, seenBy: principal, now: now, in: db)
            let resolved = try Self.resolvedData(of: context, explain: explain, principal, in: db)
            context.data = resolved.data
            context.provenance = resolved.provenance
            if withRuns { (context.runs, context.openErrors) = try Self.activity(of: id, principal, now: now, in: db) }
            return try item(context, resolved.entityTag)
        }
    }

    /// A context's effective data: its ancestors' data merged from the root down (RFC 7396),
    /// with every leaf's source when `explain`, and the ETag of the whole line. Every ancestor
    /// must be readable by `principal`, and the line must fit `MemoryChain.maxResolvedBytes`.
    static func resolvedData(of context: MemoryContext, explain: Bool, _ principal: Principal, in db: Database) throws -> (
        data: JSONValue, provenance: [Provenance]?, entityTag: String
    ) {
        let id = context.id
        let line = try MemoryChain.read(from: id, in: db)
        try line.ancestors.requireReadable(by: principal, in: db)
        guard line.bytes <= MemoryChain.maxResolvedBytes else {
            throw DryadError.conflict(
                "context \(id) and its \(line.ancestors.links.count) ancestors hold \(line.bytes) bytes of data, over the "
                    + "\(MemoryChain.maxResolvedBytes) bytes a resolved read merges; read the ancestors a page at a time")
        }
        // The context's own data is already parsed; the chain starts at its parent.
        let ancestors = try context.parentID.map { try MemoryChain.data(from: $0, in: db) } ?? []
        let chain = ([(id: id, data: context.data)] + ancestors).reversed()
        var effective: [String: JSONValue] = [:]
        var sources: [String: String]? = explain ? [:] : nil
        for link in chain {
            JSONMerge.apply(link.data.objectValue ?? [:], to: &effective, source: link.id, at: "", sources: &sources)
        }
        let provenance = sources.map { sources in
            JSONMerge.leaves(of: .object(effective)).map { pointer in Provenance(pointer: pointer, contextID: sources[pointer] ?? id) }
        }
        return (.object(effective), provenance, line.entityTag)
    }

    // MARK: - Tree

    /// The ancestors of a context, nearest first, up to the root, a page at a time: at most
    /// `page.limit` contexts and `PageRequest.maxBytes` of their data (a line may hold 255
    /// ancestors of a MiB each).
    public func parents(_ id: String, page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError) -> Page<MemoryContext> {
        let scope = CursorScope("memory.parents", [id])
        let page = try page.validated(for: scope)
        // How many ancestors earlier pages showed.
        let skip = try page.cursor.map { cursor throws(DryadError) -> Int in
            guard let count = Int(try Cursor.decode(cursor, fields: 1)[0]), count >= 0 else {
                throw .invalidInput("cursor: not a cursor returned by this listing")
            }
            return count
        }
        let now = database.now()
        return try await database.audited(principal, .memoryParents, "memory:\(id)") { db, note in
            note.reason = try AccessCheck.requireContext(.read, try Self.fetch(id, now: now, in: db), principal, in: db)
            let ancestors = try MemoryChain.read(from: id, in: db).ancestors
            try ancestors.requireReadable(by: principal, in: db)
            var budget = PageBudget(limit: page.limit)
            let shown = ancestors.links.dropFirst(skip ?? 0).prefix { budget.admits(bytes: $0.bytes) }
            let shownCount = (skip ?? 0) + shown.count
            return Page(
                items: try Self.contexts(shown.map(\.id), in: db),
                nextCursor: shownCount < ancestors.links.count ? Cursor.encode([String(shownCount)]) : nil
            ).scoped(scope)
        }
    }

    /// The children of a context, or its whole subtree (breadth first) with `recursive`, a page
    /// at a time: at most `page.limit` contexts and `PageRequest.maxBytes` of their data.
    public func children(
        _ id: String, recursive: Bool, page: PageRequest = PageRequest(), as principal: Principal
    ) async throws(DryadError) -> Page<MemoryContext> {
        let cursorScope = CursorScope("memory.children", [id, String(recursive)])
        let page = try page.validated(for: cursorScope)
        // The key of the last context shown: (depth, created_at, id) in the subtree's order.
        let after = try page.cursor.map { cursor throws(DryadError) in try Cursor.decode(cursor, fields: 3) }
        let now = database.now()
        return try await database.audited(principal, .memoryChildren, "memory:\(id)") { db, note in
            note.reason = try AccessCheck.requireContext(.read, try Self.fetch(id, now: now, in: db), principal, in: db)
            let scope =
                recursive
                ? """
                WITH RECURSIVE subtree(id) AS (
                    SELECT id FROM memory_context WHERE parent_id = ?1
                    UNION ALL SELECT c.id FROM memory_context c JOIN subtree s ON c.parent_id = s.id LIMIT \(Self.maxTreeItems))
                SELECT \(Self.columns()) FROM memory_context WHERE id IN (SELECT id FROM subtree)
                """
                : "SELECT \(Self.columns()) FROM memory_context WHERE parent_id = ?1"
            let statement = try db.makeStatement(
                sql: """
                    \(scope) AND \(Self.visible.replacingOccurrences(of: "?", with: "?2"))
                    AND (depth, created_at, id) > (?3, ?4, ?5) ORDER BY depth, created_at, id
                    """.replacingOccurrences(of: "SELECT \(Self.columns()) FROM", with: "SELECT \(Self.columns()), depth FROM"))
            var budget = PageBudget(limit: page.limit)
            var children: [MemoryContext] = []
            var lastKey: [String]?
            var next: String?
            try statement.step(arguments: [id, now, Int(after?[0] ?? "-1") ?? -1, after?[1] ?? "", after?[2] ?? ""]) { row in
                let child = try Self.decode(row)
                // Contexts the caller cannot read are skipped. The cursor names the last context
                // shown, never a skipped one (it is readable base64), so the next page skips them again.
                if !principal.isAdmin,
                    try AccessCheck.contextAccess(principal, contextID: child.id, owner: child.agentID, in: db).access == nil
                {
                    return true
                }
                guard budget.admits(bytes: child.data.canonicalText.utf8.count) else {
                    next = lastKey.map(Cursor.encode)
                    return false
                }
                children.append(child)
                lastKey = [String(row.int(11)), child.createdAt, child.id]
                return true
            }
            return Page(items: try Self.withShares(children, in: db), nextCursor: next).scoped(cursorScope)
        }
    }

    /// Every version of a context, oldest first, each as a context object with its principal,
    /// a page at a time: at most `page.limit` versions and `PageRequest.maxBytes` of their data
    /// (59 versions of 1 MB made one answer of 60 MB before).
    public func history(_ id: String, page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError) -> Page<MemoryContext> {
        let scope = CursorScope("memory.history", [id])
        let page = try page.validated(for: scope)
        let after = try page.cursor.map { cursor throws(DryadError) -> Int in
            guard let version = Int(try Cursor.decode(cursor, fields: 1)[0]) else { throw .invalidInput("cursor: not a cursor returned by this listing") }
            return version
        }
        let now = database.now()
        return try await database.audited(principal, .memoryHistory, "memory:\(id)") { db, note in
            let current = try Self.fetch(id, now: now, in: db)
            note.reason = try AccessCheck.requireContext(.read, current, principal, in: db)
            // Read row by row, so a page stops reading where it is full.
            let rows = try Row.fetchCursor(
                db, sql: "SELECT * FROM memory_version WHERE context_id = ? AND version > ? ORDER BY version", arguments: [id, after ?? 0])
            return try Page<MemoryContext>.collect(rows, limit: page.limit, bytes: { Page<MemoryContext>.textBytes($0, "data") }, key: { [String($0.version)] })
            { (row: Row) throws -> MemoryContext in
                var version = current
                version.data = try JSONValue.parse(row["data"] as String, maxDepth: 1000)
                version.tags = (try JSONValue.parse(row["tags"] as String).arrayValue ?? []).compactMap { $0.stringValue }
                version.version = row["version"]
                version.updatedAt = row["created_at"]
                version.principal = row["principal"]
                version.merged = row["merged"]
                version.executionID = row["execution_id"]
                return version
            }.scoped(scope)
        }
    }

    // MARK: - List and search

    /// Contexts newest first, filtered.
    public func list(_ query: MemoryQuery, page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError) -> Page<MemoryContext> {
        let scope = Self.scope("memory.list", query)
        let page = try page.validated(for: scope)
        var (conditions, arguments) = Self.filters(query, now: database.now(), alias: "c.")
        if let readable = Self.visibleContextsCondition(AccessRules.visibleContexts(principal)) {
            conditions.append(readable.sql)
            arguments += readable.arguments
        }
        let order = KeysetOrder.newestFirst("c.created_at", then: "c.id")
        try order.continuing(after: page.cursor, to: &conditions, &arguments)
        arguments.append(page.limit + 1)
        let sql =
            "SELECT \(Self.columns("c.")) FROM memory_context c WHERE \(conditions.joined(separator: " AND ")) \(order.orderBy) LIMIT ?"
        let statementArguments = StatementArguments(arguments)
        let limit = page.limit
        return try await database.audited(principal, .memoryList, "memory") { db, note in
            if !principal.isAdmin { note.reason = "readable contexts only" }
            var page = try db.cachedStatement(sql: sql).decodePage(
                arguments: statementArguments, limit: limit, bytes: { $0.data.canonicalText.utf8.count }, key: { [$0.createdAt, $0.id] }, Self.decode)
            page.items = try Self.withShares(page.items, in: db)
            return page.scoped(scope)
        }
    }

    /// Full-text search over the keys and string values of data, the type and the tags, best first.
    ///
    /// Words are ANDed, `"quoted phrases"` match in order and `prefix*` matches word starts;
    /// a query that cannot be parsed (an unterminated quote) is invalid input. Every term reaches
    /// FTS5 quoted, so an error from SQLite here is a storage error, not the user's syntax.
    public func search(_ text: String, _ query: MemoryQuery, page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError) -> Page<
        MemoryContext
    > {
        try await search(text, query, page: page, now: database.now(), as: principal, cache: nil) { $0 }
    }

    /// `search`'s page written as JSON; a server keeps these (except searches with `since`) in
    /// its read cache while no context, share, error log or principal changes.
    public func searchEncoded(_ text: String, _ query: MemoryQuery, page: PageRequest = PageRequest(), as principal: Principal) async throws(DryadError)
        -> EncodedJSON
    {
        let now = database.now()
        let plan = ReadCache.Plan(
            .memory,
            ["memory.search", text, query.agentID, query.contextType, query.parentID, query.key, String(page.limit), page.cursor, String(query.tags.count)]
                + query.tags, visibleAt: now)
        // Not with `since`: given as a duration ("24h") it names another instant on every call,
        // so each answer would take room and never be asked for again.
        let cache = query.since == nil ? CachedRead<EncodedJSON>(plan: plan) { $0.bytes.capacity } : nil
        return try await search(text, query, page: page, now: now, as: principal, cache: cache) { page in
            try EncodedJSON(encoding: page).compacted()
        }
    }

    private func search<Item: Sendable>(
        _ text: String, _ query: MemoryQuery, page: PageRequest, now: String, as principal: Principal, cache: CachedRead<Item>?,
        _ item: @escaping @Sendable (Page<MemoryContext>) throws -> Item
    ) async throws(DryadError) -> Item {
        let scope = Self.scope("memory.search", query, text: text)
        let page = try page.validated(for: scope)
        let match = try SearchQuery.translate(text)
        let offset: Int
        if let cursor = page.cursor {
            guard let value = Int(try Cursor.decode(cursor, fields: 1)[0]), value >= 0 else {
                throw .invalidInput("cursor: not a cursor returned by this listing")
            }
            offset = value
        } else {
            offset = 0
        }
        var (conditions, arguments) = Self.filters(query, now: now, alias: "c.")
        conditions.insert("memory_fts MATCH ?", at: 0)
        arguments.insert(match, at: 0)
        if let readable = Self.visibleContextsCondition(AccessRules.visibleContexts(principal)) {
            conditions.append(readable.sql)
            arguments += readable.arguments
        }
        arguments += [page.limit + 1, offset]
        // `ORDER BY rank` (bm25 by default) is answered by FTS5 itself, best first, so SQLite walks
        // the matches in that order and stops once the page is full: the rows behind the filters
        // are read for the page, not for every match (ordering by `bm25(…), c.id` made SQLite
        // join and sort all of them first, twice the time of the ranking alone).
        let sql = """
            SELECT \(Self.columns("c.")), -memory_fts.rank, c.seq
            FROM memory_fts JOIN memory_context c ON c.seq = memory_fts.rowid
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY memory_fts.rank LIMIT ? OFFSET ?
            """
        let statementArguments = StatementArguments(arguments)
        let limit = page.limit
        return try await database.audited(principal, .memorySearch, "memory", cache: cache) { db, note in
            if !principal.isAdmin { note.reason = "readable contexts only" }
            // At most `limit` hits and `PageRequest.maxBytes` of their data, as for a listing.
            var budget = PageBudget(limit: limit)
            var found: [(MemoryContext, seq: Int)] = []
            var more = false
            try db.cachedStatement(sql: sql).step(arguments: statementArguments) { row in
                guard budget.admits(bytes: row.byteCount(4)) else {
                    more = true
                    return false
                }
                var context = try Self.decode(row)
                // bm25 weighs words by how often they occur in every context, readable or not,
                // so a number would let a member measure contexts it cannot read.
                if principal.isAdmin { context.score = row.optionalDouble(11) }
                found.append((context, seq: row.int(12)))
                return true
            }
            // Snippets only for the page: in the ranking query SQLite would make one for every
            // match before sorting, which was two thirds of a search.
            let snippets = try db.cachedStatement(sql: Self.snippetQuery)
            var items = try found.map { hit in
                var context = hit.0
                context.snippet = try snippets.decodeFirst(arguments: [match, hit.seq]) { $0.optionalString(0) } ?? nil
                return context
            }
            items = try Self.withShares(items, in: db)
            return try item(Page(items: items, nextCursor: more ? Cursor.encode([String(offset + found.count)]) : nil).scoped(scope))
        }
    }

    // MARK: - Helpers

    /// The snippet of one search hit; `rowid =` with `MATCH` is a seek, not a scan.
    static let snippetQuery = "SELECT snippet(memory_fts, -1, '[', ']', '…', 12) FROM memory_fts WHERE memory_fts MATCH ? AND rowid = ?"

    /// The most items `children` and `parents` return (the list contract without paging).
    static let maxTreeItems = 10_000

    /// The cursor scope of a listing or search with `query` (`since` left out: given as a
    /// duration it is another instant on every call).
    static func scope(_ listing: String, _ query: MemoryQuery, text: String? = nil) -> CursorScope {
        CursorScope(listing, [text, query.agentID, query.contextType, query.parentID, query.key] + query.tags.map { $0 })
    }

    static func filters(_ query: MemoryQuery, now: String, alias: String = "") -> ([String], [(any DatabaseValueConvertible)?]) {
        var conditions = ["(\(alias)visible_until IS NULL OR \(alias)visible_until > ?)"]
        var arguments: [(any DatabaseValueConvertible)?] = [now]
        if let agent = query.agentID {
            conditions.append("\(alias)agent_id = ?")
            arguments.append(agent)
        }
        if let type = query.contextType {
            conditions.append("\(alias)context_type = ?")
            arguments.append(type)
        }
        for tag in query.tags {
            conditions.append("EXISTS (SELECT 1 FROM json_each(\(alias)tags) WHERE value = ?)")
            arguments.append(tag)
        }
        if let parent = query.parentID {
            conditions.append("\(alias)parent_id = ?")
            arguments.append(parent)
        }
        if let key = query.key {
            conditions.append("\(alias)key = ?")
            arguments.append(key)
        }
        if let since = query.since {
            conditions.append("\(alias)created_at >= ?")
            arguments.append(Timestamp.format(since))
        }
        return (conditions, arguments)
    }

    /// Contexts by id, in the order given.
    static func contexts(_ ids: [String], in db: Database) throws -> [MemoryContext] {
        guard !ids.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let found = try withShares(
            try db.makeStatement(sql: "SELECT \(columns()) FROM memory_context WHERE id IN (\(marks))").decodeAll(arguments: StatementArguments(ids), decode),
            in: db)
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return ids.compactMap { byID[$0] }
    }

    /// The unresolved error logs of a context that `principal` may list (`ErrorLog.requireAccess`):
    /// all of them for an admin or a writer of the context, else its own.
    static func unresolvedErrors(of context: MemoryContext, seenBy principal: Principal, now: String, in db: Database) throws -> Int {
        // Exactly the errors `errors list` shows the caller (`ErrorLog.visibleCondition`).
        guard let visible = ErrorLog.visibleCondition(principal, now: now) else {
            return try db.cachedStatement(sql: "SELECT count(*) FROM error_log WHERE context_id = ? AND fix_applied = 0")
                .decodeFirst(arguments: [context.id]) { $0.int(0) } ?? 0
        }
        return try Int.fetchOne(
            db, sql: "SELECT count(*) FROM error_log WHERE context_id = ? AND fix_applied = 0 AND \(visible.sql)",
            arguments: StatementArguments([context.id] + visible.arguments)) ?? 0
    }
}

/// Turns a user's search text into an FTS5 query: words are quoted (so punctuation such as
/// `state-of-the-art` is safe) and ANDed, `"phrases"` stay phrases, `word*` stays a prefix.
enum SearchQuery {
    /// FTS5 work grows with terms times matching rows, so a long query is refused rather than run for minutes.
    static let maxTerms = 32
    static let maxBytes = 1024

    static func translate(_ text: String) throws(DryadError) -> String {
        guard text.utf8.count <= maxBytes else { throw .invalidInput("search query: longer than \(maxBytes) bytes") }
        // FTS5 reads its query as a C string: a NUL would cut a quoted term short and unbalance it.
        guard !text.utf8.contains(0) else { throw .invalidInput("search query: contains a NUL character") }
        var terms: [String] = []
        var rest = Substring(text)
        while true {
            rest = rest.drop(while: { $0.isWhitespace })
            guard let first = rest.first else { break }
            if first == "\"" {
                let body = rest.dropFirst()
                guard let close = body.firstIndex(of: "\"") else {
                    throw .invalidInput("search query: unterminated quote")
                }
                let phrase = body[..<close]
                rest = body[body.index(after: close)...]
                var prefix = false
                if rest.first == "*" {
                    prefix = true
                    rest = rest.dropFirst()
                }
                if phrase.contains(where: { $0.isLetter || $0.isNumber }) {
                    terms.append(quote(phrase) + (prefix ? "*" : ""))
                }
            } else {
                let word = rest.prefix(while: { !$0.isWhitespace && $0 != "\"" })
                rest = rest[word.endIndex...]
                // A word without letters or digits has no tokens: as an FTS5 phrase it would match
                // nothing and, ANDed with the rest, hide every result.
                guard word.contains(where: { $0.isLetter || $0.isNumber }) else { continue }
                if word.count > 1, word.hasSuffix("*") {
                    terms.append(quote(word.dropLast()) + "*")
                } else {
                    terms.append(quote(word))
                }
            }
        }
        guard !terms.isEmpty else { throw .invalidInput("search query: give at least one word") }
        guard terms.count <= maxTerms else { throw .invalidInput("search query: more than \(maxTerms) words or phrases") }
        return terms.joined(separator: " AND ")
    }

    /// `text` as an FTS5 string: every `"` doubled, scalar by scalar (a `"` followed by a
    /// combining mark is one Character, and a Character-wise replace would miss it).
    private static func quote(_ text: Substring) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.unicodeScalars.append(scalar) }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }
}
