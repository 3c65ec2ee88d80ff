import DryadJSON

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
