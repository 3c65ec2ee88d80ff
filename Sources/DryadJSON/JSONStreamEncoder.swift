import Foundation

/// Encodes `Encodable` values straight into JSON bytes, in the order `encode(to:)` writes them.
///
/// The server's responses went through Foundation's `JSONEncoder`, which builds a tree of boxed
/// values through generic, dynamically dispatched paths; that was a tenth of a served read.
/// This encoder writes as it goes and knows `JSONValue`, strings and numbers directly. Its
/// output is what `JSONEncoder` with `.withoutEscapingSlashes` writes (same escapes, same
/// numbers, keys in written order). Values it does not model (`Date`, `Data`, `URL`,
/// `Decimal`, `superEncoder`) make it throw `Unsupported`; callers then use `JSONEncoder`.
public enum JSONStreamEncoder {
    /// Thrown for a value this encoder leaves to `JSONEncoder`.
    public struct Unsupported: Error {}

    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        // Written already (a cached answer): its `encode(to:)` would parse it to write it again.
        if let encoded = value as? EncodedJSON { return encoded.bytes }
        let sink = Sink()
        if let json = value as? JSONValue {
            sink.write(json)
            return sink.bytes
        }
        let encoder = StreamEncoder(sink: sink, level: 0, codingPath: [])
        try value.encode(to: encoder)
        try encoder.finish(emptyAs: nil)
        if let failure = sink.failure { throw failure }
        return sink.bytes
    }

    /// Appends `text` as a JSON string literal, escaped as `JSONEncoder` escapes it.
    package static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendQuoted(utf8: $0, to: &bytes) }
    }

    /// Appends UTF-8 text as a JSON string literal, escaped as `JSONEncoder` escapes it.
    package static func appendQuoted(utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escape: copy them whole.
        if utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A double as `JSONEncoder` writes it: the shortest round-trip form, without a trailing `.0`.
    package static func numberText(_ value: Double) throws -> String {
        guard value.isFinite else { throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "not a finite number")) }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    /// The bytes written so far and the containers still open, shared by every encoder of one value.
    package final class Sink {
        var bytes: [UInt8] = []
        /// Open containers, outermost first: their closing byte and how many entries they hold.
        var open: [(closer: UInt8, count: Int)] = []
        var failure: (any Error)?

        init() { bytes.reserveCapacity(1024) }

        /// Closes containers opened deeper than `level` (nested containers end when their parent writes on).
        func close(downTo level: Int) {
            while open.count > level {
                bytes.append(open.removeLast().closer)
            }
        }

        /// Starts the next entry of the container at `level`: a comma after the first.
        func nextEntry(at level: Int) {
            close(downTo: level + 1)
            // A container used after its parent moved on; JSONEncoder allows it, streaming cannot.
            guard level < open.count else {
                failure = failure ?? Unsupported()
                return
            }
            if open[level].count > 0 { bytes.append(UInt8(ascii: ",")) }
            open[level].count += 1
        }

        /// Opens a container inside the current entry; it closes when its parent writes on.
        func openNested(_ opener: UInt8, _ closer: UInt8) {
            bytes.append(opener)
            open.append((closer, 0))
        }

        /// `superEncoder` would need a slot filled later: the value is left to JSONEncoder.
        func unsupportedEncoder(codingPath: [any CodingKey]) -> any Encoder {
            failure = failure ?? Unsupported()
            return StreamEncoder(sink: Sink(), level: 0, codingPath: codingPath)
        }

        func key(_ key: String, at level: Int) {
            nextEntry(at: level)
            JSONStreamEncoder.appendQuoted(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }

        func write(_ value: JSONValue) {
            switch value {
            case .null: bytes.append(contentsOf: "null".utf8)
            case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
            case .integer(let number): bytes.append(contentsOf: String(number).utf8)
            case .number(let number):
                // Doubles in a JSONValue come from parsed JSON and are finite.
                bytes.append(contentsOf: ((try? JSONStreamEncoder.numberText(number)) ?? "null").utf8)
            case .string(let text): JSONStreamEncoder.appendQuoted(text, to: &bytes)
            case .array(let items):
                bytes.append(UInt8(ascii: "["))
                for (index, item) in items.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    write(item)
                }
                bytes.append(UInt8(ascii: "]"))
            case .object(let fields):
                bytes.append(UInt8(ascii: "{"))
                var first = true
                for (key, item) in fields {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    JSONStreamEncoder.appendQuoted(key, to: &bytes)
                    bytes.append(UInt8(ascii: ":"))
                    write(item)
                }
                bytes.append(UInt8(ascii: "}"))
            }
        }

        /// Writes one value at the current position: known types directly, others through their `encode(to:)`.
        func write<T: Encodable>(_ value: T, level: Int, codingPath: [any CodingKey]) throws {
            // Metatype comparisons: cheaper than a dynamic cast per value.
            if T.self == String.self, let text = value as? String {
                JSONStreamEncoder.appendQuoted(text, to: &bytes)
            } else if T.self == JSONValue.self, let json = value as? JSONValue {
                write(json)
            } else if T.self == [String: JSONValue].self, let fields = value as? [String: JSONValue] {
                write(.object(fields))
            } else if T.self == EncodedJSON.self, let encoded = value as? EncodedJSON {
                bytes.append(contentsOf: encoded.bytes)
            } else if T.self == Date.self || T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
                throw Unsupported()
            } else {
                let encoder = StreamEncoder(sink: self, level: level, codingPath: codingPath)
                try value.encode(to: encoder)
                try encoder.finish(emptyAs: "{}")
            }
        }
    }
}

/// One value's slot in the output; the containers it hands out write into the shared sink.
private final class StreamEncoder: Encoder {
    package let sink: JSONStreamEncoder.Sink
    /// The index its container takes in `sink.open`.
    package let level: Int
    package let codingPath: [any CodingKey]
    package var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var start: Int

    package init(sink: JSONStreamEncoder.Sink, level: Int, codingPath: [any CodingKey]) {
        self.sink = sink
        self.level = level
        self.codingPath = codingPath
        self.start = sink.bytes.count
    }

    /// Opens this slot's container, or continues the one already open (a second call, as
    /// `JSONEncoder` allows).
    private func openContainer(_ opener: UInt8, _ closer: UInt8) {
        sink.close(downTo: level + 1)
        if sink.open.count == level && sink.bytes.count == start {
            sink.bytes.append(opener)
            sink.open.append((closer, 0))
        } else if !(sink.open.count == level + 1 && sink.open[level].closer == closer) {
            sink.failure = sink.failure ?? JSONStreamEncoder.Unsupported()
        }
    }

    package func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        openContainer(UInt8(ascii: "{"), UInt8(ascii: "}"))
        return KeyedEncodingContainer(StreamKeyedContainer<Key>(sink: sink, level: level, codingPath: codingPath))
    }

    package func unkeyedContainer() -> any UnkeyedEncodingContainer {
        openContainer(UInt8(ascii: "["), UInt8(ascii: "]"))
        return StreamUnkeyedContainer(sink: sink, level: level, codingPath: codingPath)
    }

    package func singleValueContainer() -> any SingleValueEncodingContainer {
        StreamSingleValueContainer(sink: sink, level: level, codingPath: codingPath)
    }

    /// Closes what the value opened; a value that wrote nothing is `emptyAs` (an error at the top, like JSONEncoder).
    package func finish(emptyAs empty: String?) throws {
        sink.close(downTo: level)
        if sink.bytes.count == start {
            guard let empty else {
                throw EncodingError.invalidValue((), .init(codingPath: codingPath, debugDescription: "the value encoded nothing"))
            }
            sink.bytes.append(contentsOf: empty.utf8)
        }
    }
}

/// The keyed container of one object in the output; entries go straight into the sink.
private struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    package let sink: JSONStreamEncoder.Sink
    package let level: Int
    package let codingPath: [any CodingKey]

    private func raw(_ text: String, forKey key: Key) {
        sink.key(key.stringValue, at: level)
        sink.bytes.append(contentsOf: text.utf8)
    }

    package mutating func encodeNil(forKey key: Key) throws { raw("null", forKey: key) }
    package mutating func encode(_ value: Bool, forKey key: Key) throws { raw(value ? "true" : "false", forKey: key) }
    package mutating func encode(_ value: String, forKey key: Key) throws {
        sink.key(key.stringValue, at: level)
        JSONStreamEncoder.appendQuoted(value, to: &sink.bytes)
    }
    package mutating func encode(_ value: Double, forKey key: Key) throws { raw(try JSONStreamEncoder.numberText(value), forKey: key) }
    package mutating func encode(_ value: Float, forKey key: Key) throws { raw(try JSONStreamEncoder.numberText(Double(value)), forKey: key) }
    package mutating func encode(_ value: Int, forKey key: Key) throws { raw(String(value), forKey: key) }
    package mutating func encode(_ value: Int8, forKey key: Key) throws { raw(String(value), forKey: key) }
    package mutating func encode(_ value: Int16, forKey key: Key) throws { raw(String(value), forKey: key) }
    package mutating func encode(_ value: Int32, forKey key: Key) throws { raw(String(value), forKey: key) }
    package mutating func encode(_ value: Int64, forKey key: Key) throws { raw(String(value), forKey: key) }
    package mutating func encode(_ value: UInt, forKey key: Key) throws { raw(String(value), forKey: key) }
    package mutating func encode(_ value: UInt8, forKey key: Key) throws { raw(String(value), forKey: key) }
    package mutating func encode(_ value: UInt16, forKey key: Key) throws { raw(String(value), forKey: key) }
    package mutating func encode(_ value: UInt32, forKey key: Key) throws { raw(String(value), forKey: key) }
    package mutating func encode(_ value: UInt64, forKey key: Key) throws { raw(String(value), forKey: key) }

    package mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        sink.key(key.stringValue, at: level)
        try sink.write(value, level: level + 1, codingPath: codingPath + [key])
    }

    package mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        sink.key(key.stringValue, at: level)
        sink.openNested(UInt8(ascii: "{"), UInt8(ascii: "}"))
        return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(sink: sink, level: level + 1, codingPath: codingPath + [key]))
    }

    package mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        sink.key(key.stringValue, at: level)
        sink.openNested(UInt8(ascii: "["), UInt8(ascii: "]"))
        return StreamUnkeyedContainer(sink: sink, level: level + 1, codingPath: codingPath + [key])
    }

    package mutating func superEncoder() -> any Encoder { sink.unsupportedEncoder(codingPath: codingPath) }
    package mutating func superEncoder(forKey key: Key) -> any Encoder { sink.unsupportedEncoder(codingPath: codingPath) }
}

/// The unkeyed container of one array in the output; items go straight into the sink.
private struct StreamUnkeyedContainer: UnkeyedEncodingContainer, StreamScalarContainer {
    package let sink: JSONStreamEncoder.Sink
    package let level: Int
    package let codingPath: [any CodingKey]
    package var count: Int { sink.open.count > level ? sink.open[level].count : 0 }

    package func beginEntry() { sink.nextEntry(at: level) }

    package mutating func encode<T: Encodable>(_ value: T) throws {
        sink.nextEntry(at: level)
        try sink.write(value, level: level + 1, codingPath: codingPath)
    }

    package mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        sink.nextEntry(at: level)
        sink.openNested(UInt8(ascii: "{"), UInt8(ascii: "}"))
        return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(sink: sink, level: level + 1, codingPath: codingPath))
    }

    package mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        sink.nextEntry(at: level)
        sink.openNested(UInt8(ascii: "["), UInt8(ascii: "]"))
        return StreamUnkeyedContainer(sink: sink, level: level + 1, codingPath: codingPath)
    }

    package mutating func superEncoder() -> any Encoder { sink.unsupportedEncoder(codingPath: codingPath) }
}

/// A slot written once, directly.
private struct StreamSingleValueContainer: SingleValueEncodingContainer, StreamScalarContainer {
    package let sink: JSONStreamEncoder.Sink
    package let level: Int
    package let codingPath: [any CodingKey]

    package func beginEntry() {}

    package mutating func encode<T: Encodable>(_ value: T) throws {
        try sink.write(value, level: level, codingPath: codingPath)
    }
}

/// The scalar `encode` overloads of the unkeyed and single-value containers: start the entry
/// (a comma in an array, nothing in a single slot), then write the value's text.
private protocol StreamScalarContainer {
    var sink: JSONStreamEncoder.Sink { get }
    func beginEntry()
}

extension StreamScalarContainer {
    private func raw(_ text: String) {
        beginEntry()
        sink.bytes.append(contentsOf: text.utf8)
    }

    package mutating func encodeNil() throws { raw("null") }
    package mutating func encode(_ value: Bool) throws { raw(value ? "true" : "false") }
    package mutating func encode(_ value: String) throws {
        beginEntry()
        JSONStreamEncoder.appendQuoted(value, to: &sink.bytes)
    }
    package mutating func encode(_ value: Double) throws { raw(try JSONStreamEncoder.numberText(value)) }
    package mutating func encode(_ value: Float) throws { raw(try JSONStreamEncoder.numberText(Double(value))) }
    package mutating func encode(_ value: Int) throws { raw(String(value)) }
    package mutating func encode(_ value: Int8) throws { raw(String(value)) }
    package mutating func encode(_ value: Int16) throws { raw(String(value)) }
    package mutating func encode(_ value: Int32) throws { raw(String(value)) }
    package mutating func encode(_ value: Int64) throws { raw(String(value)) }
    package mutating func encode(_ value: UInt) throws { raw(String(value)) }
    package mutating func encode(_ value: UInt8) throws { raw(String(value)) }
    package mutating func encode(_ value: UInt16) throws { raw(String(value)) }
    package mutating func encode(_ value: UInt32) throws { raw(String(value)) }
    package mutating func encode(_ value: UInt64) throws { raw(String(value)) }
}

/// A value already written as JSON; the stream encoder copies its bytes instead of encoding again.
///
/// Built from JSON this program wrote and stored (a page of tools copies each tool's stored
/// schemas rather than parsing and re-encoding them). `JSONEncoder`, the fallback, gets the
/// parsed value, so both encoders print the same JSON.
public struct EncodedJSON: Sendable, Encodable, Equatable {
    public let bytes: [UInt8]

    package init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A copy holding exactly its bytes: an encoder's buffer grows by doubling, so up to half of
    /// it is spare room, which a cache would keep for as long as the answer.
    package func compacted() -> EncodedJSON {
        EncodedJSON(bytes: [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in count = buffer.initialize(fromContentsOf: bytes) })
    }

    /// `value` written by the stream encoder, or by `JSONEncoder` (slashes unescaped) for the
    /// types the stream encoder does not model.
    public init(encoding value: some Encodable) throws {
        do {
            bytes = try JSONStreamEncoder.encode(value)
        } catch is JSONStreamEncoder.Unsupported {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            bytes = Array(try encoder.encode(value))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try JSONValue.parse(String(decoding: bytes, as: UTF8.self), maxDepth: 1000).encode(to: encoder)
    }
}
