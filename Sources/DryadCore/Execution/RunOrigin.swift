/// The interface a run was asked through, kept on its record (`via`, `mcp_session`).
public enum RunOrigin: Sendable, Equatable {
    case cli
    case api
    /// Over MCP; the session's id, when the revision has sessions.
    case mcp(session: String?)

    /// The record's `via`.
    public var via: String {
        switch self {
        case .cli: "cli"
        case .api: "api"
        case .mcp: "mcp"
        }
    }

    /// The record's `mcp_session`.
    public var mcpSession: String? {
        if case .mcp(let session) = self { return session }
        return nil
    }
}
