import Foundation
import GRDB

/// One logged error (the planning document's `error_log`).
public struct ErrorRecord: Sendable, Equatable, Encodable {
    public var id: String
    public var errorType: String
    public var errorMessage: String
    public var stackTrace: String?
    /// True once resolved.
    public var fixApplied: Bool
    public var resolutionNote: String?
    public var contextID: String?
    /// The run that logged this error on its context; nil for errors logged by hand.
    public var executionID: String?
    public var principal: String
    public var createdAt: String
    public var resolvedAt: String?

    enum CodingKeys: String, CodingKey {
        case id
        case errorType = "error_type"
        case errorMessage = "error_message"
        case stackTrace = "stack_trace"
        case fixApplied = "fix_applied"
        case resolutionNote = "resolution_note"
        case contextID = "context_id"
        case executionID = "execution_id"
        case principal
        case createdAt = "created_at"
        case resolvedAt = "resolved_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(errorType, forKey: .errorType)
        try c.encode(errorMessage, forKey: .errorMessage)
        try c.encode(stackTrace, forKey: .stackTrace)
        try c.encode(fixApplied, forKey: .fixApplied)
        try c.encode(resolutionNote, forKey: .resolutionNote)
        try c.encode(contextID, forKey: .contextID)
        try c.encode(executionID, forKey: .executionID)
        try c.encode(principal, forKey: .principal)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(resolvedAt, forKey: .resolvedAt)
    }
}
