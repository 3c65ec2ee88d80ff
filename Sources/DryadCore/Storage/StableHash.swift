/// FNV-1a (64-bit) over a list of strings, as lowercase hex: a short, stable fingerprint that
/// tells inputs apart (cursor scopes, the ETag of a resolved context). It keeps no secret and
/// resists no attacker; nothing here needs either.
enum StableHash {
    static func of(_ parts: [String?]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            // A prefix tells nil from "", and the terminator keeps ["ab"] apart from ["a", "b"].
            for byte in (part.map { "=" + $0 } ?? "-").utf8 + [0] {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
        }
        return String(hash, radix: 16)
    }
}
