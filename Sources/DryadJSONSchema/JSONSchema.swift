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
    ///
    /// Throws `invalidInput` naming the budget when the validation needs more than `budget`
    /// steps (`SchemaBudget`): the instance is then neither valid nor invalid, only refused.
    public func validate(_ instance: JSONValue, budget: Int = SchemaBudget.defaultSteps) throws(DryadError) -> [SchemaViolation] {
        var evaluator = SchemaEvaluator(program: program, budget: budget)
        var violations: [SchemaViolation] = []
        let outcome = evaluator.evaluate(program.root, instance, report: true, track: false, errors: &violations)
        if evaluator.isOutOfBudget { throw Self.overBudget(budget) }
        if !outcome.valid, violations.isEmpty {
            // Every failing keyword reports itself; this only guards the contract that an
            // invalid instance never comes back with an empty list.
            violations.append(SchemaViolation(pointer: "", message: "does not match the schema"))
        }
        return violations
    }

    /// Whether the instance is valid; stops at the first violation. Throws as `validate` does.
    public func isValid(_ instance: JSONValue, budget: Int = SchemaBudget.defaultSteps) throws(DryadError) -> Bool {
        var evaluator = SchemaEvaluator(program: program, budget: budget)
        var unused: [SchemaViolation] = []
        let valid = evaluator.evaluate(program.root, instance, report: false, track: false, errors: &unused).valid
        if evaluator.isOutOfBudget { throw Self.overBudget(budget) }
        return valid
    }

    /// The refusal of a validation that ran out of budget.
    static func overBudget(_ budget: Int) -> DryadError {
        .invalidInput(
            "validation was stopped at its work budget of \(budget) steps: the value and the schema together need more work than one request may take")
    }
}
