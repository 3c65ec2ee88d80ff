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
    /// The first entry verified with the audit key (HMAC); nil when none is keyed.
    public var keyedSince: Int?

    public init(ok: Bool, entries: Int, firstBadSeq: Int?, problem: String?, keyedSince: Int? = nil) {
        self.ok = ok
        self.entries = entries
        self.firstBadSeq = firstBadSeq
        self.problem = problem
        self.keyedSince = keyedSince
    }

    enum CodingKeys: String, CodingKey {
        case ok, entries
        case firstBadSeq = "first_bad_seq"
        case problem
        case keyedSince = "keyed_since"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try c.encode(entries, forKey: .entries)
        try c.encode(firstBadSeq, forKey: .firstBadSeq)
        try c.encode(problem, forKey: .problem)
        try c.encode(keyedSince, forKey: .keyedSince)
    }
}
