import Foundation

/// Where one leaf of resolved data came from.
public struct Provenance: Sendable, Equatable, Encodable {
    public var pointer: String
    public var contextID: String

    enum CodingKeys: String, CodingKey {
        case pointer
        case contextID = "context_id"
    }
}
