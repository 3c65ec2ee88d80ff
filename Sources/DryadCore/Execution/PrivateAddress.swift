import Foundation

/// Which addresses an HTTP executor may not reach unless its tool allows private addresses:
/// loopback (dryad's own server and whatever else listens on this machine), link-local (the
/// cloud metadata service at 169.254.169.254), private and shared ranges, and addresses that
/// are not one host (unspecified, multicast, broadcast, reserved).
///
/// The host is resolved once, every address it resolves to is checked, and the connection
/// then goes to the checked address (`HTTPRunner` pins it), so a name that resolves to a
/// public address for the check and to a private one for the connection (DNS rebinding)
/// cannot slip through.
enum PrivateAddress {
    /// What the address is, when it is one an executor may not reach by default; nil for a
    /// public unicast address.
    static func kind(of address: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return kind(ipv4: UInt32(bigEndian: v4.s_addr))
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return "not an IP address" }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        return kind(ipv6: bytes)
    }

    /// Ranges from RFC 6890's special-purpose registry that are not the public internet.
    static func kind(ipv4 a: UInt32) -> String? {
        func within(_ prefix: UInt32, _ bits: UInt32) -> Bool { bits == 0 || a >> (32 - bits) == prefix >> (32 - bits) }
        if within(0x7F00_0000, 8) { return "loopback" }
        if within(0xA9FE_0000, 16) { return "link-local" }
        if within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) { return "private" }
        if within(0x6440_0000, 10) { return "shared (carrier-grade NAT)" }
        if within(0x0000_0000, 8) { return "unspecified" }
        if within(0xE000_0000, 4) { return "multicast" }
        if within(0xF000_0000, 4) { return "reserved" }
        if within(0xC000_0000, 24) || within(0xC612_0000, 15) { return "reserved" }
        return nil
    }

    static func kind(ipv6 b: [UInt8]) -> String? {
        let zeroPrefix = b[0..<10].allSatisfy { $0 == 0 }
        // IPv4-mapped (::ffff:a.b.c.d) and the NAT64 prefix (64:ff9b::/96) carry an IPv4 address.
        if zeroPrefix, b[10] == 0xFF, b[11] == 0xFF { return kind(ipv4: ipv4(b)) }
        if b[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0][...] { return kind(ipv4: ipv4(b)) }
        if zeroPrefix, b[10] == 0, b[11] == 0 {
            if b[12..<15].allSatisfy({ $0 == 0 }), b[15] == 1 { return "loopback" }
            if b[12..<16].allSatisfy({ $0 == 0 }) { return "unspecified" }
            return "reserved"  // IPv4-compatible, deprecated
        }
        if b[0] == 0xFE, b[1] & 0xC0 == 0x80 { return "link-local" }
        if b[0] == 0xFE, b[1] & 0xC0 == 0xC0 { return "private" }  // site-local, deprecated
        if b[0] & 0xFE == 0xFC { return "private" }  // unique local
        if b[0] == 0xFF { return "multicast" }
        return nil
    }

    private static func ipv4(_ b: [UInt8]) -> UInt32 {
        UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15])
    }

    /// The addresses `host` resolves to (an IP literal resolves to itself), in the resolver's
    /// order; throws when it does not resolve. Blocks: call it off the request threads.
    static func resolve(_ host: String) throws(DryadError) -> [String] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(bare, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw .toolFailed("cannot resolve \(bare): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                let address = String(cString: text)
                if !addresses.contains(address) { addresses.append(address) }
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }
}
