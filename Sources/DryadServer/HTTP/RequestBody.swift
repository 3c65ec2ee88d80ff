/// A route's request body: its schema (a name in the OpenAPI document's components), a
/// description of it for readers, and whether it may be left out.
struct RequestBody: Sendable, Equatable {
    var schema: String
    var description: String
    var required: Bool

    init(_ schema: String, _ description: String, required: Bool = true) {
        self.schema = schema
        self.description = description
        self.required = required
    }
}
