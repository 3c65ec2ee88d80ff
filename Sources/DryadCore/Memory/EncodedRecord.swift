import Foundation

/// A record already written as JSON, with its entity tag (`ETag`, without quotes): a context's
/// version, or for a resolved context one that changes when any ancestor changes.
public struct EncodedRecord: Sendable {
    public let json: EncodedJSON
    public let entityTag: String
}
