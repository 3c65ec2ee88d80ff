import DryadJSON

/// A regular expression paired with the schema the matching properties' values must match.
struct PatternSchema: Sendable {
    let regex: SchemaRegex
    let node: Int
}
