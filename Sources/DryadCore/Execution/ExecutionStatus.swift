import Foundation

/// How one execution attempt ended.
public enum ExecutionStatus: String, Sendable, Codable, CaseIterable {
    case succeeded, failed
    case timedOut = "timed_out"
    case rejected, denied
}
