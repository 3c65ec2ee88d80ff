import DryadCore

/// A query parameter a route reads. A plain name takes the schema its name has everywhere
/// (`OpenAPISchemas.queryParameters`, a string otherwise); a route whose parameter means
/// something narrower gives its own. An optional parameter may be sent empty, which counts as absent.
struct QueryParameter: Sendable, Equatable, ExpressibleByStringLiteral {
    var name: String
    var schema: JSONValue?
    var required: Bool

    init(_ name: String, schema: JSONValue? = nil, required: Bool = false) {
        self.name = name
        self.schema = schema
        self.required = required
    }

    init(stringLiteral name: String) {
        self.init(name)
    }

    /// A parameter the route cannot do without.
    static func required(_ name: String) -> QueryParameter {
        QueryParameter(name, required: true)
    }
}
