import Crypto
import Foundation
import GRDB
import JWTKit
import Synchronization

/// Tokens whose signature and claims were verified once, so repeated requests with the same
/// token skip the JOSE parsing and HMAC; expiry, revocation, the principal and the key are
/// still checked on every request.
final class VerifiedTokenCache: Sendable {
    /// What a successful verification established.
    struct Entry: Sendable {
        var kid: String
        var id: String
        var subject: String
        var expires: Date
        var notBefore: Date
    }

    /// Past this many tokens the cache starts over, bounding memory under a flood of tokens.
    static let capacity = 10_000
    private let entries = Mutex<[String: Entry]>([:])

    func lookup(_ token: String) -> Entry? { entries.withLock { $0[token] } }

    func store(_ token: String, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = entry
        }
    }
}
