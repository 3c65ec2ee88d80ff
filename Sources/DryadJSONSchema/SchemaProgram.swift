import DryadJSON

/// A compiled schema document: a flat table of nodes that refer to each other by index,
/// so that `$ref` cycles are plain integers rather than reference cycles.
struct SchemaProgram: Sendable {
    /// Every compiled (sub)schema; `root` is the one instances are validated against.
    var nodes: [SchemaNode]
    /// Schema resources (the document roots and every schema with an `$id`).
    var resources: [SchemaResource]
    var root: Int
}

/// A schema resource, as `$dynamicRef` needs it at validation time.
struct SchemaResource: Sendable {
    /// The `$dynamicAnchor`s declared inside this resource (not in nested resources), by name.
    var dynamicAnchors: [String: Int]
}

/// One compiled (sub)schema.
struct SchemaNode: Sendable {
    /// What the schema checks.
    enum Body: Sendable {
        /// `true` (or `{}`) and `false`.
        case always(Bool)
        /// The keywords to check, in the order violations should be reported.
        case keywords([SchemaKeyword])
    }

    var body: Body
    /// Index into `SchemaProgram.resources` of the resource this schema belongs to.
    var resource: Int
    /// Where the schema sits in its document, for messages about `$ref` loops.
    var location: String
    /// Whether the schema has `unevaluatedProperties` or `unevaluatedItems`, so evaluation must
    /// track which properties and items its in-place applicators evaluated.
    var tracksEvaluation: Bool

    /// Whether this is the `false` schema, which gets dedicated messages in some places.
    var isFalse: Bool {
        if case .always(false) = body { return true }
        return false
    }
}

/// A set of JSON Schema type names.
struct SchemaTypes: OptionSet, Sendable {
    let rawValue: UInt8

    static let null = SchemaTypes(rawValue: 1 << 0)
    static let boolean = SchemaTypes(rawValue: 1 << 1)
    static let integer = SchemaTypes(rawValue: 1 << 2)
    static let number = SchemaTypes(rawValue: 1 << 3)
    static let string = SchemaTypes(rawValue: 1 << 4)
    static let array = SchemaTypes(rawValue: 1 << 5)
    static let object = SchemaTypes(rawValue: 1 << 6)

    /// The names in the order messages list them.
    static let named: [(String, SchemaTypes)] = [
        ("string", .string), ("number", .number), ("integer", .integer), ("boolean", .boolean),
        ("object", .object), ("array", .array), ("null", .null),
    ]

    init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The type with this JSON Schema name, or nil for an unknown name.
    init?(name: String) {
        guard let match = Self.named.first(where: { $0.0 == name }) else { return nil }
        self = match.1
    }

    /// Whether a value of this JSON type matches; `number` includes the integers.
    func admits(_ value: JSONValue) -> Bool {
        switch value {
        case .null: contains(.null)
        case .bool: contains(.boolean)
        case .string: contains(.string)
        case .array: contains(.array)
        case .object: contains(.object)
        case .integer: contains(.integer) || contains(.number)
        case .number(let d): contains(.number) || (contains(.integer) && d.rounded() == d && d.isFinite)
        }
    }

    /// `string`, `string or null`, `string, number or null`.
    var description: String {
        let names = Self.named.filter { contains($0.1) }.map(\.0)
        guard let last = names.last else { return "nothing" }
        return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
    }
}

/// A property name paired with the schema its value must match.
struct NamedSchema: Sendable {
    let name: String
    let node: Int
}

/// A regular expression paired with the schema the matching properties' values must match.
struct PatternSchema: Sendable {
    let regex: SchemaRegex
    let node: Int
}

/// One compiled keyword (or group of keywords that are checked together).
enum SchemaKeyword: Sendable {
    // Core.
    case ref(Int)
    /// `$dynamicRef`: `target` is the statically resolved schema; `anchor` is set when that
    /// schema has a matching `$dynamicAnchor`, which makes the reference dynamic.
    case dynamicRef(target: Int, anchor: String?)

    // Validation of any instance.
    case type(SchemaTypes)
    case const(JSONValue)
    case enumeration([JSONValue])

    // Numbers.
    case multipleOf(SchemaDecimal, text: String)
    case minimum(SchemaNumber, exclusive: Bool)
    case maximum(SchemaNumber, exclusive: Bool)

    // Strings.
    case minLength(Int)
    case maxLength(Int)
    case pattern(SchemaRegex)

    // In-place applicators.
    case allOf([Int])
    case anyOf([Int])
    case oneOf([Int])
    case not(Int)
    case conditional(if: Int, then: Int?, else: Int?)
    case dependentSchemas([NamedSchema])

    // Arrays.
    case prefixItems([Int])
    /// `items`, which applies to the items after the `prefixItems`.
    case items(Int, after: Int)
    case contains(Int, min: Int, max: Int?)
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems

    // Objects.
    case properties([NamedSchema])
    case patternProperties([PatternSchema])
    /// `additionalProperties`, with the sibling `properties` names and `patternProperties`
    /// patterns that decide which properties are additional.
    case additionalProperties(Int, declared: Set<String>, patterns: [SchemaRegex])
    case propertyNames(Int)
    case required([String])
    case dependentRequired([(property: String, required: [String])])
    case minProperties(Int)
    case maxProperties(Int)

    // Unevaluated (always last in a node: they depend on every other keyword's annotations).
    case unevaluatedItems(Int)
    case unevaluatedProperties(Int)
}
