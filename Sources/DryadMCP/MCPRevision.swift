/// The MCP protocol revisions dryad speaks, newest first.
///
/// The handshake revisions are agreed once per session at `initialize`: a client that asks
/// for one of them gets it, a client that asks for another gets the newest (and may then give
/// up). The stateless 2026-07-28 revision has no handshake: each request names it in `_meta`.
public enum MCPRevision: String, Sendable, CaseIterable, Comparable {
    case v2026_07_28 = "2026-07-28"
    case v2025_11_25 = "2025-11-25"
    case v2025_06_18 = "2025-06-18"
    case v2025_03_26 = "2025-03-26"
    case v2024_11_05 = "2024-11-05"

    /// The newest revision `initialize` agrees on.
    public static let newest = MCPRevision.v2025_11_25

    /// The `_meta` key that carries a stateless request's revision.
    public static let metaKey = "io.modelcontextprotocol/protocolVersion"

    /// The revision to answer `initialize` with when the client asked for `asked`.
    public static func negotiate(_ asked: String?) -> MCPRevision {
        guard let revision = asked.flatMap(MCPRevision.init(rawValue:)), !revision.isStateless else { return newest }
        return revision
    }

    /// Whether requests of this revision stand alone (no `initialize`, no session).
    public var isStateless: Bool { self == .v2026_07_28 }

    /// Whether results may carry `structuredContent` and tools `outputSchema` and `title` (2025-06-18 on).
    var hasStructuredOutput: Bool { self >= .v2025_06_18 }

    public static func < (lhs: MCPRevision, rhs: MCPRevision) -> Bool { lhs.rawValue < rhs.rawValue }
}
