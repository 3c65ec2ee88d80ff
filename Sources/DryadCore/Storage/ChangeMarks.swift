import GRDB

/// What a long-lived reader (an MCP session) polls to learn that something it serves changed,
/// without reading it: the tools and memory generations (schema triggers replace them on every
/// change, by any process) and the versions of contexts it subscribed to.
///
/// Not audited and not access-checked: a mark says only that something changed, and the
/// caller learned the contexts' ids through reads that were both. The read that follows a
/// change is checked and audited as any other.
public struct ChangeMarks: Sendable, Equatable {
    public var tools: Int64?
    public var memory: Int64?
    /// The current version of each asked context; a deleted (or expired) one is absent.
    public var versions: [String: Int]

    public init(tools: Int64?, memory: Int64?, versions: [String: Int]) {
        self.tools = tools
        self.memory = memory
        self.versions = versions
    }
}

extension DryadDatabase {
    /// The marks now, with the versions of `contexts`.
    public func changeMarks(contexts: [String]) async throws(DryadError) -> ChangeMarks {
        let now = self.now()
        return try await read { db in
            var versions: [String: Int] = [:]
            for id in contexts {
                let version = try db.cachedStatement(
                    sql: "SELECT version FROM memory_context WHERE id = ? AND (visible_until IS NULL OR visible_until > ?)"
                ).decodeFirst(arguments: [id, now]) { Int($0.int(0)) }
                if let version { versions[id] = version }
            }
            return ChangeMarks(
                tools: try ReadCache.generation(.tools, in: db), memory: try ReadCache.generation(.memory, in: db), versions: versions)
        }
    }
}
