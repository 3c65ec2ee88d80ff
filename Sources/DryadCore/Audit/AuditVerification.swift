import Crypto
import Foundation
import GRDB

/// The result of checking the whole chain.
public struct AuditVerification: Sendable, Equatable, Encodable {
    public var ok: Bool
    public var entries: Int
    /// The first entry that does not match, when not ok.
    public var firstBadSeq: Int?
    public var problem: String?

    enum CodingKeys: String, CodingKey {
        case ok, entries
        case firstBadSeq = "first_bad_seq"
        case problem
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try c.encode(entries, forKey: .entries)
        try c.encode(firstBadSeq, forKey: .firstBadSeq)
        try c.encode(problem, forKey: .problem)
    }
}
