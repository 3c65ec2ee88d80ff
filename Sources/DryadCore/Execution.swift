import Foundation

/// How one execution attempt ended.
public enum ExecutionStatus: String, Sendable, Codable, CaseIterable {
    case succeeded, failed
    case timedOut = "timed_out"
    case rejected, denied
}

/// One recorded attempt to run a tool (the planning document's `tool_execution`).
public struct ExecutionRecord: Sendable, Equatable, Encodable {
    public var id: String
    public var toolID: String
    public var toolName: String
    public var toolVersion: String
    public var sessionID: String?
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

    enum CodingKeys: String, CodingKey {
        case id
        case toolID = "tool_id"
        case toolName = "tool_name"
        case toolVersion = "tool_version"
        case sessionID = "session_id"
        case principal, input, output, status, error
        case exitCode = "exit_code"
        case httpStatus = "http_status"
        case durationMs = "duration_ms"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(toolID, forKey: .toolID)
        try c.encode(toolName, forKey: .toolName)
        try c.encode(toolVersion, forKey: .toolVersion)
        try c.encode(sessionID, forKey: .sessionID)
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
    }
}

/// What `execute` reports: the record it wrote, the error to surface (nil on success), and warnings.
public struct ExecutionOutcome: Sendable {
    public var record: ExecutionRecord
    /// `invalidInput` for rejected input, `conflict` for a disabled tool or one without an
    /// executor, `toolFailed` for failed and timed-out runs, `permissionDenied` when denied.
    public var failure: DryadError?
    /// Things the caller should tell a person, such as "tool is deprecated".
    public var warnings: [String]
}

/// Filters for `tools history`.
public struct ExecutionQuery: Sendable, Equatable {
    public var status: ExecutionStatus?
    public var sessionID: String?
    public var since: Date?

    public init(status: ExecutionStatus? = nil, sessionID: String? = nil, since: Date? = nil) {
        self.status = status
        self.sessionID = sessionID
        self.since = since
    }
}

/// Per tool version figures for `tools stats`.
public struct ToolStats: Sendable, Equatable, Encodable {
    public var name: String
    public var version: String
    public var succeeded: Int
    public var failed: Int
    public var timedOut: Int
    public var rejected: Int
    public var denied: Int
    /// succeeded / (succeeded + failed + timed_out); nil before the first run.
    public var successRate: Double?
    public var p50Ms: Int?
    public var p95Ms: Int?
    public var maxMs: Int?
    public var lastRunAt: String?

    enum CodingKeys: String, CodingKey {
        case name, version, succeeded, failed
        case timedOut = "timed_out"
        case rejected, denied
        case successRate = "success_rate"
        case p50Ms = "p50_ms"
        case p95Ms = "p95_ms"
        case maxMs = "max_ms"
        case lastRunAt = "last_run_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(version, forKey: .version)
        try c.encode(succeeded, forKey: .succeeded)
        try c.encode(failed, forKey: .failed)
        try c.encode(timedOut, forKey: .timedOut)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(denied, forKey: .denied)
        try c.encode(successRate, forKey: .successRate)
        try c.encode(p50Ms, forKey: .p50Ms)
        try c.encode(p95Ms, forKey: .p95Ms)
        try c.encode(maxMs, forKey: .maxMs)
        try c.encode(lastRunAt, forKey: .lastRunAt)
    }
}

/// A group of executions (the planning document's `tool_session`).
public struct ToolSession: Sendable, Equatable, Encodable {
    /// Open sessions take executions; ended ones refuse them.
    public enum Status: String, Sendable, Codable { case open, ended }

    public var id: String
    public var label: String?
    public var principal: String
    public var status: Status
    public var executionCount: Int
    public var createdAt: String
    public var endedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, label, principal, status
        case executionCount = "execution_count"
        case createdAt = "created_at"
        case endedAt = "ended_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(label, forKey: .label)
        try c.encode(principal, forKey: .principal)
        try c.encode(status, forKey: .status)
        try c.encode(executionCount, forKey: .executionCount)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(endedAt, forKey: .endedAt)
    }
}
