import Foundation

/// A record already written as JSON, with the version its ETag carries.
public struct EncodedRecord: Sendable {
    public let json: EncodedJSON
    public let version: Int
}
