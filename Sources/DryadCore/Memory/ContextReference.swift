import GRDB

/// How a caller names one context: by id, or by the key its agent gave it (keys are unique per
/// agent, so an agent and a key name at most one context).
public enum ContextReference: Sendable, Equatable, CustomStringConvertible {
    case id(String)
    case key(agent: String, key: String)

    public var description: String {
        switch self {
        case .id(let id): "context \(id)"
        case .key(let agent, let key): "context with key \(key) of agent \(agent)"
        }
    }

    /// How the audit trail names the context before its id is known.
    var auditName: String {
        switch self {
        case .id(let id): id
        case .key(let agent, let key): "\(agent)/key:\(key)"
        }
    }

    /// The context's id: `id` as given, or the one of the visible context with that key
    /// (an expired one is not found, as `get` would not find it).
    func resolve(now: String, in db: Database) throws -> String {
        switch self {
        case .id(let id):
            return id
        case .key(let agent, let key):
            let sql = "SELECT id FROM memory_context WHERE agent_id = ? AND key = ? AND \(MemoryStore.visible)"
            guard let id = try String.fetchOne(db.cachedStatement(sql: sql), arguments: [agent, key, now]) else {
                throw DryadError.notFound("\(self) not found")
            }
            return id
        }
    }
}
