import DryadJSON

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
