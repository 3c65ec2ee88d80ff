import GRDB

/// A context's line of ancestors as stored, nearest first and starting with the context itself:
/// ids, owners and data sizes, read without parsing any data (a line may hold 256 contexts of
/// a MiB each, so `parents` and a resolved read decide what to load before loading it).
struct MemoryChain {
    /// One context of the line.
    struct Link {
        let id: String
        let owner: String
        let version: Int
        /// The stored data's size in bytes.
        let bytes: Int
    }

    /// The most data a resolved read merges, in bytes: sixteen contexts at the default data
    /// limit. A deeper line of large contexts is read with `parents`, a page at a time.
    static let maxResolvedBytes = 16 * 1024 * 1024

    let links: [Link]

    /// The line that starts at `id` (empty when no context has that id).
    static func read(from id: String, in db: Database) throws -> MemoryChain {
        let links = try db.cachedStatement(sql: walk(selecting: "id, agent_id, version, length(CAST(data AS BLOB))")).decodeAll(arguments: [id]) { row in
            Link(id: row.string(0), owner: row.string(1), version: row.int(2), bytes: row.int(3))
        }
        return MemoryChain(links: links)
    }

    /// The data of the line that starts at `id`, nearest first.
    static func data(from id: String, in db: Database) throws -> [(id: String, data: JSONValue)] {
        try db.cachedStatement(sql: walk(selecting: "id, data")).decodeAll(arguments: [id]) { row in
            (row.string(0), try JSONValue.parse(row.string(1), maxDepth: 1000))
        }
    }

    /// The recursive walk up from the context `?`, ordered nearest first, selecting `columns`.
    private static func walk(selecting columns: String) -> String {
        """
        WITH RECURSIVE chain(id, parent_id, n) AS (
            SELECT id, parent_id, 0 FROM memory_context WHERE id = ?
            UNION ALL
            SELECT c.id, c.parent_id, chain.n + 1 FROM memory_context c JOIN chain ON c.id = chain.parent_id
            WHERE chain.n < \(MemoryRules.maxChain))
        SELECT \(columns) FROM chain JOIN memory_context USING (id) ORDER BY n
        """
    }

    /// The line without its first context: the ancestors.
    var ancestors: MemoryChain { MemoryChain(links: Array(links.dropFirst())) }

    /// An entity tag for what the line resolves to: the first context's version and a hash of
    /// every context's id and version, so it changes when an ancestor does.
    var entityTag: String {
        String(links.first?.version ?? 0) + "-" + StableHash.of(links.flatMap { [$0.id, String($0.version)] })
    }

    /// The data of every context of the line, in bytes.
    var bytes: Int { links.reduce(0) { $0 + $1.bytes } }

    /// Inherited data is part of what a reader sees, so every context of the line must be
    /// readable by `principal`.
    func requireReadable(by principal: Principal, in db: Database) throws {
        guard !principal.isAdmin else { return }
        for link in links where try AccessCheck.contextAccess(principal, contextID: link.id, owner: link.owner, in: db).access == nil {
            throw Denial(error: .permissionDenied("\(principal.name) may not read ancestor context \(link.id)"), reason: "ancestor not readable")
        }
    }
}
