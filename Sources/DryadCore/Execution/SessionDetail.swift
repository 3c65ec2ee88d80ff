import Foundation
import GRDB

/// A session with a page of its executions, printed as the session object plus `executions`
/// and `executions_next_cursor`.
public struct SessionDetail: Sendable, Encodable {
    public var session: ToolSession
    /// A page of the session's executions, oldest first.
    public var executions: [ExecutionRecord]
    /// Continues `executions` (`sessions show --cursor`); nil on the last page.
    public var executionsNextCursor: String?

    enum CodingKeys: String, CodingKey {
        case executions
        case executionsNextCursor = "executions_next_cursor"
    }

    public func encode(to encoder: any Encoder) throws {
        try session.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(executions, forKey: .executions)
        try c.encode(executionsNextCursor, forKey: .executionsNextCursor)
    }
}
