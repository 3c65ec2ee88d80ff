import Foundation

/// A JSON document held in memory: what dryad stores for schemas, metadata, inputs and outputs.
///
/// Integers and doubles are kept apart so integers round-trip exactly, but they compare
/// equal by numeric value (`1 == 1.0`), as JSON Schema requires.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

// MARK: - Equality by value

extension JSONValue: Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): Double(a) == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        // Hash integral doubles like integers so that 1 and 1.0 land in the same bucket.
        case .integer(let i): hasher.combine(Double(i))
        case .number(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o): hasher.combine(o)
        }
    }
}

// MARK: - Accessors

extension JSONValue {
    /// The JSON type name as JSON Schema spells it (`integer` for integral numbers).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number(let d): d.rounded() == d && d.isFinite ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// How deeply arrays and objects nest (a scalar is 0), counting no further than `limit + 1`.
    public func nestingDepth(limit: Int) -> Int {
        var deepest = 0
        var stack: [(JSONValue, Int)] = [(self, 0)]
        while let (value, depth) = stack.popLast() {
            deepest = max(deepest, depth)
            if deepest > limit { return deepest }
            switch value {
            case .array(let items): stack += items.map { ($0, depth + 1) }
            case .object(let fields): stack += fields.values.map { ($0, depth + 1) }
            default: break
            }
        }
        return deepest
    }

    /// The numeric value of an integer or a number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }
}

// MARK: - Codable

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .integer(i)
        } else if let d = try? container.decode(Double.self) {
            self = .number(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .integer(let i): try container.encode(i)
        case .number(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

// MARK: - Text

extension JSONValue {
    /// The deepest nesting of arrays and objects accepted from outside.
    public static let defaultMaxDepth = 128

    /// Parses JSON text, refusing documents nested deeper than `maxDepth`.
    ///
    /// A key given twice in one object is refused, unless `firstKeyWins`: what a tool or an
    /// HTTP endpoint prints is taken as it comes, the first of repeated keys winning.
    public static func parse(_ data: Data, maxDepth: Int = defaultMaxDepth, firstKeyWins: Bool = false) throws(DryadError) -> JSONValue {
        let outcome = data.withUnsafeBytes { raw in
            JSONParser.parse(raw.bindMemory(to: UInt8.self), maxDepth: maxDepth, firstKeyWins: firstKeyWins)
        }
        return try value(of: outcome, maxDepth: maxDepth, text: data)
    }

    /// Parses JSON text given as a string (without copying it when it is stored contiguously).
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth, firstKeyWins: Bool = false) throws(DryadError) -> JSONValue {
        guard
            let outcome = text.utf8.withContiguousStorageIfAvailable({
                JSONParser.parse($0, maxDepth: maxDepth, firstKeyWins: firstKeyWins)
            })
        else {
            return try parse(Data(text.utf8), maxDepth: maxDepth, firstKeyWins: firstKeyWins)
        }
        return try value(of: outcome, maxDepth: maxDepth, text: Data(text.utf8))
    }

    /// The parsed value, or the error for `text` (copied only on that rare path).
    private static func value(of outcome: JSONParser.Outcome, maxDepth: Int, text: @autoclosure () -> Data) throws(DryadError) -> JSONValue {
        switch outcome {
        case .value(let value): return value
        case .tooDeep: throw .invalidInput("invalid JSON: nested deeper than \(maxDepth) levels")
        case .invalid: throw .invalidInput("invalid JSON: \(syntaxError(in: text()))")
        case .duplicateKey(let key): throw .invalidInput("invalid JSON: the key \(JSONValue.string(key).canonicalText) appears twice in one object")
        }
    }

    /// Compact JSON with sorted keys: the canonical form dryad stores and hashes.
    public var canonicalText: String {
        // Encoding a JSONValue cannot fail: every case maps to a JSON type and doubles
        // parsed from JSON are finite.
        let data = (try? JSONValue.canonicalEncoder.encode(self)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static let canonicalEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// JSONDecoder says only "not valid JSON"; JSONSerialization names the position, so ask it
    /// on the (rare) error path.
    private static func syntaxError(in data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            if let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String {
                return detail.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
                    .replacingOccurrences(of: "\n", with: " ").lowercased()
            }
        }
        return "not valid JSON"
    }
}

// MARK: - Pretty text

extension JSONValue {
    /// Indented JSON with sorted keys, `"key": value`, and `{}`/`[]` for empty containers.
    public var prettyText: String {
        var out = ""
        writePretty(into: &out, indent: "")
        return out
    }

    private func writePretty(into out: inout String, indent: String) {
        switch self {
        case .array(let items) where !items.isEmpty:
            let inner = indent + "  "
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += inner
                item.writePretty(into: &out, indent: inner)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let fields) where !fields.isEmpty:
            let inner = indent + "  "
            out += "{\n"
            let keys = fields.keys.sorted()
            for (i, key) in keys.enumerated() {
                out += inner + JSONValue.string(key).canonicalText + ": "
                fields[key]?.writePretty(into: &out, indent: inner)
                out += i == keys.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        default:
            out += canonicalText
        }
    }
}
