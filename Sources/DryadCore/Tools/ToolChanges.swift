import Foundation

/// Changes to the mutable fields of one tool version; nil leaves a field as it is.
public struct ToolChanges: Sendable, Equatable {
    /// What to do with the executor.
    public enum ExecutorChange: Sendable, Equatable {
        case replace(ToolEndpoint)
        case remove
        /// Keep the executor, change only its timeout.
        case timeout(Double)
    }

    public var description: String?
    public var tags: [String]?
    public var metadata: [String: JSONValue]?
    public var status: ToolStatus?
    public var executor: ExecutorChange?

    public init(
        description: String? = nil, tags: [String]? = nil, metadata: [String: JSONValue]? = nil,
        status: ToolStatus? = nil, executor: ExecutorChange? = nil
    ) {
        self.description = description
        self.tags = tags
        self.metadata = metadata
        self.status = status
        self.executor = executor
    }

    public var isEmpty: Bool {
        description == nil && tags == nil && metadata == nil && status == nil && executor == nil
    }
}
