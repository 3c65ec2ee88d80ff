import Foundation

/// One recorded attempt to run a tool (the planning document's `tool_execution`).
public struct ExecutionRecord: Sendable, Equatable, Encodable {
    public var id: String
    public var toolID: String
    public var toolName: String
    public var toolVersion: String
    public var sessionID: String?
    /// The memory context the run served; kept after the context is deleted, as history.
    public var contextID: String?
    public var principal: String
    public var input: JSONValue
    public var output: JSONValue?
    public var status: ExecutionStatus
    public var error: String?
    public var exitCode: Int?
    public var httpStatus: Int?
    public var durationMs: Int
    public var startedAt: String
    public var finishedAt: String
    /// What became of the output a run was asked to store in its context; nil when not asked.
    public var storedOutput: StoredOutput?
    /// The interface that asked for the run (`cli`, `api`, `mcp`); nil for runs recorded before it was kept.
    public var via: String?
    /// The MCP session a run asked for over MCP came from.
    public var mcpSession: String?

    enum CodingKeys: String, CodingKey {
        case id
        case toolID = "tool_id"
        case toolName = "tool_name"
        case toolVersion = "tool_version"
        case sessionID = "session_id"
        case contextID = "context_id"
        case principal, input, output, status, error
        case exitCode = "exit_code"
        case httpStatus = "http_status"
        case durationMs = "duration_ms"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case storedOutput = "stored_output"
        case via
        case mcpSession = "mcp_session"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(toolID, forKey: .toolID)
        try c.encode(toolName, forKey: .toolName)
        try c.encode(toolVersion, forKey: .toolVersion)
        try c.encode(sessionID, forKey: .sessionID)
        try c.encode(contextID, forKey: .contextID)
        try c.encode(principal, forKey: .principal)
        try c.encode(input, forKey: .input)
        try c.encode(output ?? .null, forKey: .output)
        try c.encode(status, forKey: .status)
        try c.encode(error, forKey: .error)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(httpStatus, forKey: .httpStatus)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(storedOutput, forKey: .storedOutput)
        try c.encode(via, forKey: .via)
        try c.encode(mcpSession, forKey: .mcpSession)
    }
}
