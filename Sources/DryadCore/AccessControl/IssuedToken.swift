import Crypto
import Foundation
import GRDB
import JWTKit
import Synchronization

/// A freshly issued token and its record.
public struct IssuedToken: Sendable {
    public var token: String
    public var record: TokenRecord
}
