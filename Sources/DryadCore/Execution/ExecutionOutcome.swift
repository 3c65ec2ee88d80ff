import Foundation

/// What `execute` reports: the record it wrote, the error to surface (nil on success), and warnings.
public struct ExecutionOutcome: Sendable {
    public var record: ExecutionRecord
    /// `invalidInput` for rejected input, `conflict` for a disabled tool or one without an
    /// executor, `toolFailed` for failed and timed-out runs, `permissionDenied` when denied.
    public var failure: DryadError?
    /// Things the caller should tell a person, such as "tool is deprecated".
    public var warnings: [String]
}
