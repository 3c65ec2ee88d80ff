import Foundation
import GRDB

/// A session with its executions, printed as the session object plus `executions`.
public struct SessionDetail: Sendable, Encodable {
    public var session: ToolSession
    public var executions: [ExecutionRecord]

    enum CodingKeys: String, CodingKey { case executions }

    public func encode(to encoder: any Encoder) throws {
        try session.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(executions, forKey: .executions)
    }
}
