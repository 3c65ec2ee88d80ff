import Crypto
import Foundation
import GRDB

/// One audit entry: a permission decision or a change of state, hash-chained to the one before.
public struct AuditEntry: Sendable, Equatable, Encodable {
    public var seq: Int
    public var at: String
    public var principal: String
    /// What was attempted, e.g. `tools.execute`.
    public var action: String
    /// What it was attempted on, e.g. `tool:web_search@1.2.0`.
    public var resource: String
    /// `allow` or `deny`.
    public var decision: String
    /// The rule that decided.
    public var reason: String
    public var requestID: String?
    public var prevHash: String
    /// SHA-256 of `prev_hash` followed by the canonical JSON of the entry's other fields.
    public var hash: String

    enum CodingKeys: String, CodingKey {
        case seq, at, principal, action, resource, decision, reason
        case requestID = "request_id"
        case prevHash = "prev_hash"
        case hash
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(at, forKey: .at)
        try c.encode(principal, forKey: .principal)
        try c.encode(action, forKey: .action)
        try c.encode(resource, forKey: .resource)
        try c.encode(decision, forKey: .decision)
        try c.encode(reason, forKey: .reason)
        try c.encode(requestID, forKey: .requestID)
        try c.encode(prevHash, forKey: .prevHash)
        try c.encode(hash, forKey: .hash)
    }

    /// The canonical JSON that is hashed (every field but the two hashes).
    ///
    /// Written by hand because every request appends an entry; the bytes are exactly those of
    /// `canonicalValue.canonicalText` (keys in sorted order, JSONEncoder's escaping), which a
    /// test checks, so existing chains keep verifying.
    var canonicalBody: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        func field(_ key: String, _ value: String?) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: key.utf8)
            out.append(contentsOf: "\":".utf8)
            if let value { JSONStreamEncoder.appendQuoted(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        field("action", action)
        field("at", at)
        field("decision", decision)
        field("principal", principal)
        field("reason", reason)
        field("request_id", requestID)
        field("resource", resource)
        out.append(contentsOf: ",\"seq\":\(seq)}".utf8)
        return out
    }

    /// The body as a JSON value, the reference `canonicalBody` must match.
    var canonicalValue: JSONValue {
        JSONValue.object([
            "seq": .integer(Int64(seq)), "at": .string(at), "principal": .string(principal), "action": .string(action),
            "resource": .string(resource), "decision": .string(decision), "reason": .string(reason),
            "request_id": requestID.map(JSONValue.string) ?? .null,
        ])
    }

    static func hash(previous: String, body: [UInt8]) -> String {
        // Hex by table: String(format:) per byte was a tenth of the cost of a served read.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        var sha = SHA256()
        sha.update(data: Array(previous.utf8))
        sha.update(data: body)
        for byte in sha.finalize() {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
