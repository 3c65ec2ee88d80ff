import DryadJSON

/// A property name paired with the schema its value must match.
struct NamedSchema: Sendable {
    let name: String
    let node: Int
}
