import Foundation

/// How one execution attempt ended.
public enum ExecutionStatus: String, Sendable, Codable, CaseIterable {
    case succeeded, failed
    case timedOut = "timed_out"
    /// The caller ended the run (Ctrl-C, an MCP cancellation, a client that went away); the
    /// tool's process group was killed.
    case cancelled
    case rejected, denied
}
