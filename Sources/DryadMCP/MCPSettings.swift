import DryadCore

/// How a front end opened a session: what it serves and where runs go, as the operator chose
/// (`dryad mcp --context --tag --search-only`, or `/mcp?context=&tag=&search_only=`).
public struct MCPSettings: Sendable, Equatable {
    /// The memory context every run is recorded in, unless a call's `_meta` names another.
    public var contextID: String?
    /// Only tools carrying every one of these tags are listed and may be called.
    public var tags: [String]
    /// List only `search_tools` and the tools its searches found (for catalogues too large to list).
    public var searchOnly: Bool
    public init(contextID: String? = nil, tags: [String] = [], searchOnly: Bool = false) {
        self.contextID = contextID
        self.tags = tags
        self.searchOnly = searchOnly
    }
}
