import DryadJSON

/// One reason an instance does not match: where (JSON pointer into the instance) and why.
public struct SchemaViolation: Sendable, Equatable, Encodable, CustomStringConvertible {
    /// Where in the instance, as a JSON pointer: `""` for the root, `/query`, `/items/0`.
    public let pointer: String
    /// Why, e.g. `expected string, got integer` or `missing required property "q"`.
    public let message: String

    public var description: String { "\(pointer.isEmpty ? "/" : pointer): \(message)" }
}
