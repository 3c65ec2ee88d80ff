/// A tool that lives on an upstream MCP server (executor kind `mcp`): which server, and the
/// tool's name there, which may differ from its dryad name (`UpstreamNaming`).
public struct UpstreamEndpoint: Sendable, Equatable {
    /// The upstream server's name in dryad (`servers add NAME`).
    public var server: String
    /// The tool's name on the upstream server, as it listed it.
    public var tool: String
    public var timeoutSeconds: Double

    public init(server: String, tool: String, timeoutSeconds: Double = ToolEndpoint.defaultTimeoutSeconds) {
        self.server = server
        self.tool = tool
        self.timeoutSeconds = timeoutSeconds
    }
}
