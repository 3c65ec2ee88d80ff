import DryadJSONSchema

/// Validates tool inputs and outputs as `BlockingWork`: a validation may use a core for the
/// whole of its budget (`SchemaBudget`), which must not be an event loop's.
enum SchemaCheck {
    /// The violations of `instance` against `schema`; throws when the validation ran out of
    /// its budget.
    static func violations(of instance: JSONValue, against schema: JSONSchema) async throws(DryadError) -> [SchemaViolation] {
        try await BlockingWork.run { Result { () throws(DryadError) in try schema.validate(instance) } }.get()
    }
}
