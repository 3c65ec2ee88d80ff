/// The MCP protocol revisions dryad speaks, newest first.
///
/// A client that asks for one of these gets it; a client that asks for another gets the newest,
/// and may then give up (the specification's negotiation).
public enum MCPRevision: String, Sendable, CaseIterable, Comparable {
    case v2025_11_25 = "2025-11-25"
    case v2025_06_18 = "2025-06-18"
    case v2025_03_26 = "2025-03-26"
    case v2024_11_05 = "2024-11-05"

    public static let newest = MCPRevision.v2025_11_25

    /// The revision to answer a client that asked for `asked`.
    public static func negotiate(_ asked: String?) -> MCPRevision {
        asked.flatMap(MCPRevision.init(rawValue:)) ?? newest
    }

    /// Whether results may carry `structuredContent` and tools `outputSchema` and `title` (2025-06-18 on).
    var hasStructuredOutput: Bool { self >= .v2025_06_18 }

    public static func < (lhs: MCPRevision, rhs: MCPRevision) -> Bool { lhs.rawValue < rhs.rawValue }
}
