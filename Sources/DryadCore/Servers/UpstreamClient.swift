/// What dryad needs from an upstream MCP server, injected into the core as the HTTP client
/// is: the core decides who may call what and records it, the client speaks the protocol
/// (`DryadMCP.MCPUpstreamPool`). The core itself knows no MCP.
public protocol UpstreamClient: Sendable {
    /// The server's tools (every page) and what it said of itself.
    func listTools(of server: UpstreamServer) async throws(DryadError) -> UpstreamListing
    /// Calls `tool` with `arguments`; never throws: every ending is a value to record.
    func call(_ tool: String, arguments: JSONValue, on server: UpstreamServer, timeout: Duration) async -> UpstreamCallEnding
    /// Ends what the client holds for the server `name` (its process, its HTTP session).
    func disconnect(_ name: String) async
}

/// One upstream tool as `tools/list` described it.
public struct UpstreamTool: Sendable, Equatable {
    public var name: String
    public var title: String?
    public var description: String?
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?
    public var annotations: JSONValue?

    public init(
        name: String, title: String? = nil, description: String? = nil, inputSchema: JSONValue, outputSchema: JSONValue? = nil,
        annotations: JSONValue? = nil
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.annotations = annotations
    }
}

/// An upstream server's tools and its `serverInfo`.
public struct UpstreamListing: Sendable, Equatable {
    public var tools: [UpstreamTool]
    public var serverInfo: JSONValue?

    public init(tools: [UpstreamTool], serverInfo: JSONValue?) {
        self.tools = tools
        self.serverInfo = serverInfo
    }
}

/// How an upstream call ended.
public enum UpstreamCallEnding: Sendable, Equatable {
    /// The server answered: its `content`, `structuredContent` and `isError`.
    case answered(content: JSONValue, structured: JSONValue?, isError: Bool)
    /// No answer within the timeout (the request was cancelled upstream).
    case timedOut
    /// The caller went away first (the request was cancelled upstream).
    case cancelled
    /// The server could not be reached, died, or answered with a protocol error.
    case failed(String)
}
