// TEMPORARY until the validator lands.
public struct JSONSchema: Sendable {
    public init(_ schema: JSONValue) throws(DryadError) {}
    public func validate(_ instance: JSONValue) -> [SchemaViolation] { [] }
}
public struct SchemaViolation: Sendable, Equatable, Encodable, CustomStringConvertible {
    public let pointer: String
    public let message: String
    public var description: String { "\(pointer.isEmpty ? "/" : pointer): \(message)" }
}
