import DryadJSON

/// A compiled JSON Schema (draft 2020-12) that validates instances.
///
/// Compile once and validate many times: compiling resolves every `$ref`, compiles every
/// regular expression and checks the schema's keywords; validating walks the compiled tree.
/// A compiled schema is immutable and may be shared across threads.
public struct JSONSchema: Sendable {
    let program: SchemaProgram

    /// Compiles a schema; a schema that is not valid (wrong keyword types, e.g. "type": 5 or "required": "x",
    /// "minimum": "1", a "pattern" that is not a valid regular expression, an unresolvable "$ref", a non-object/non-boolean
    /// subschema) throws DryadError.invalidInput with a one-line message naming the JSON pointer inside the schema,
    /// e.g. `/properties/q/type: must be a string or an array of strings`.
    public init(_ schema: JSONValue) throws(DryadError) {
        program = try SchemaCompiler.compile(schema)
    }

    /// Compiles a schema whose references may also name the documents in `remotes` (by absolute URI).
    init(_ schema: JSONValue, remotes: [String: JSONValue]) throws(DryadError) {
        program = try SchemaCompiler.compile(schema, remotes: remotes)
    }

    /// Every violation, empty when the instance is valid. Must never crash, whatever the input.
    public func validate(_ instance: JSONValue) -> [SchemaViolation] {
        var evaluator = SchemaEvaluator(program: program)
        var violations: [SchemaViolation] = []
        let outcome = evaluator.evaluate(program.root, instance, report: true, track: false, errors: &violations)
        if !outcome.valid, violations.isEmpty {
            // Every failing keyword reports itself; this only guards the contract that an
            // invalid instance never comes back with an empty list.
            violations.append(SchemaViolation(pointer: "", message: "does not match the schema"))
        }
        return violations
    }

    /// Whether the instance is valid; stops at the first violation.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(program: program)
        var unused: [SchemaViolation] = []
        return evaluator.evaluate(program.root, instance, report: false, track: false, errors: &unused).valid
    }
}
