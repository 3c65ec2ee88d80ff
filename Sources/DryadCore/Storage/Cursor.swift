import Foundation

/// Cursors are the sort key of the last item shown, as base64url JSON, so paging stays
/// stable while rows are added or removed.
enum Cursor {
    /// The same text as the canonical JSON array through `JSONEncoder`, base64url without
    /// padding; written by hand because every page makes one (the encoder and three string
    /// replacements were 4 % of serving a page of tools).
    static func encode(_ key: [String]) -> String {
        var json: [UInt8] = [UInt8(ascii: "[")]
        for (index, part) in key.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            JSONStreamEncoder.appendQuoted(part, to: &json)
        }
        json.append(UInt8(ascii: "]"))
        let base64 = Data(json).base64EncodedData()
        var url: [UInt8] = []
        url.reserveCapacity(base64.count)
        for byte in base64 {
            switch byte {
            case UInt8(ascii: "+"): url.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): url.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): break
            default: url.append(byte)
            }
        }
        return String(decoding: url, as: UTF8.self)
    }

    static func decode(_ cursor: String, fields: Int) throws(DryadError) -> [String] {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard cursor.utf8.count <= 1024, let data = Data(base64Encoded: base64),
            case .array(let items)? = try? JSONValue.parse(data), items.count == fields
        else {
            throw .invalidInput("cursor: not a cursor returned by this listing")
        }
        var key: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw .invalidInput("cursor: not a cursor returned by this listing") }
            key.append(s)
        }
        return key
    }
}
