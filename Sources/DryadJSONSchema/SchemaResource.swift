import DryadJSON

/// A schema resource, as `$dynamicRef` needs it at validation time.
struct SchemaResource: Sendable {
    /// The `$dynamicAnchor`s declared inside this resource (not in nested resources), by name.
    var dynamicAnchors: [String: Int]
}
