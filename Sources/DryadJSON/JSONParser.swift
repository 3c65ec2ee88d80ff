import Foundation

/// A strict RFC 8259 parser into `JSONValue`, over UTF-8 bytes.
///
/// `JSONDecoder` needs one failed decoding attempt per JSON type to build a `JSONValue`, which
/// made parsing the hottest part of serving a stored tool or context. This parser reads each
/// value once. Non-integer numbers are still converted by `JSONDecoder`, so `1.5`, `1e3` and
/// `1.0` keep exactly the values they always had; strings must be valid UTF-8; trailing
/// commas, comments and trailing garbage are errors. Nesting deeper than `maxDepth` stops the
/// parse at that depth, so hostile documents cannot exhaust the stack.
package struct JSONParser {
    /// What one parse found.
    package enum Outcome {
        case value(JSONValue)
        case invalid
        case tooDeep
        /// RFC 8259 leaves duplicate names to the reader; readers disagree (first or last wins),
        /// so a document that means different things to different programs is refused.
        case duplicateKey(String)
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var index = 0
    private var depth = 0
    private var tooDeep = false
    private var duplicate: String?
    /// Keep the first of repeated keys instead of refusing the document.
    private var firstKeyWins = false

    /// Parses `bytes` as one JSON document.
    package static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, firstKeyWins: Bool = false) -> Outcome {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.firstKeyWins = firstKeyWins
        let value = parser.value()
        if parser.tooDeep { return .tooDeep }
        if let key = parser.duplicate { return .duplicateKey(key) }
        guard let value else { return .invalid }
        parser.skipWhitespace()
        return parser.index == parser.bytes.count ? .value(value) : .invalid
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Counts one more level of nesting; false (and the parse over) past `maxDepth`.
    private mutating func enter() -> Bool {
        depth += 1
        if depth > maxDepth { tooDeep = true }
        return !tooDeep
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func value() -> JSONValue? {
        skipWhitespace()
        guard let byte = current else { return nil }
        switch byte {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return nil }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return nil }
        index += count
        return value
    }

    private mutating func object() -> JSONValue? {
        index += 1
        guard enter() else { return nil }
        defer { depth -= 1 }
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\""), let key = string() else { return nil }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let item = value() else { return nil }
            if fields[key] == nil {
                fields[key] = item
            } else if !firstKeyWins {
                duplicate = key
                return nil
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ",")?: index += 1
            case UInt8(ascii: "}")?:
                index += 1
                return .object(fields)
            default: return nil
            }
        }
    }

    private mutating func array() -> JSONValue? {
        index += 1
        guard enter() else { return nil }
        defer { depth -= 1 }
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            guard let item = value() else { return nil }
            items.append(item)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ",")?: index += 1
            case UInt8(ascii: "]")?:
                index += 1
                return .array(items)
            default: return nil
            }
        }
    }

    /// A string starting at the opening quote; control characters must be escaped.
    private mutating func string() -> String? {
        index += 1
        let start = index
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { return nil }
            index += 1
        }
        guard let stop = current else { return nil }
        if stop == UInt8(ascii: "\"") {
            let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            index += 1
            return text
        }
        var scalars = Array(bytes[start..<index])
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(validating: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard let escaped = current else { return nil }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    scalars.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                scalars.append(byte)
                index += 1
            }
        }
        return nil
    }

    /// The scalar of `\uXXXX` (after the `u`), joining a surrogate pair; lone surrogates are errors.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800...0xDBFF).contains(high) {
            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else { return nil }
            index += 2
            guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high)
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// An RFC 8259 number: integers that fit Int64 directly, anything else through JSONDecoder.
    private mutating func number() -> JSONValue? {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return nil }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        var integral = true
        if current == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard skipDigits() > 0 else { return nil }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { return nil }
        }
        let token = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if integral, let value = Int64(String(decoding: token, as: UTF8.self)) { return .integer(value) }
        // Fractions, exponents and integers beyond Int64 keep JSONDecoder's exact reading.
        return try? JSONDecoder().decode(JSONValue.self, from: Data(token))
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        return index - start
    }
}
