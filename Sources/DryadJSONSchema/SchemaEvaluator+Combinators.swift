import DryadJSON

/// Applicators that apply subschemas to the same instance: allOf, not, if/then/else, anyOf, oneOf.
extension SchemaEvaluator {
    // MARK: - In-place applicators

    /// `allOf`, and the `dependentSchemas` whose property is present: every schema must match.
    mutating func applyAll(
        _ branches: [Int], _ instance: JSONValue, report: Bool, track: Bool,
        evaluated: inout Evaluated, errors: inout [SchemaViolation]
    ) -> Bool {
        var valid = true
        for branch in branches {
            let outcome = evaluate(branch, instance, report: report, track: track, errors: &errors)
            if outcome.valid {
                if track { evaluated.formUnion(outcome.evaluated) }
            } else {
                valid = false
                if !report { return false }
            }
        }
        return valid
    }

    /// `not`: the subschema must fail (its own violations are of no interest).
    mutating func applyNot(
        _ negated: Int, _ instance: JSONValue, report: Bool,
        errors: inout [SchemaViolation]
    ) -> Bool {
        var ignored: [SchemaViolation] = []
        guard evaluate(negated, instance, report: false, track: false, errors: &ignored).valid else { return true }
        if report { errors.append(violation("must not match the \"not\" schema")) }
        return false
    }

    /// `if`/`then`/`else`: `if` only chooses the branch; its failure is no violation.
    mutating func applyConditional(
        _ condition: Int, _ thenBranch: Int?, _ elseBranch: Int?,
        _ instance: JSONValue, report: Bool, track: Bool,
        evaluated: inout Evaluated, errors: inout [SchemaViolation]
    ) -> Bool {
        var ignored: [SchemaViolation] = []
        let test = evaluate(condition, instance, report: false, track: track, errors: &ignored)
        if test.valid, track { evaluated.formUnion(test.evaluated) }
        guard let branch = test.valid ? thenBranch : elseBranch else { return true }
        let outcome = evaluate(branch, instance, report: report, track: track, errors: &errors)
        if outcome.valid, track { evaluated.formUnion(outcome.evaluated) }
        return outcome.valid
    }

    // MARK: - anyOf and oneOf

    /// `anyOf`: at least one branch must match; with tracking, every branch is evaluated
    /// because each matching one contributes evaluated properties and items.
    mutating func applyAnyOf(
        _ branches: [Int], _ instance: JSONValue, report: Bool, track: Bool,
        evaluated: inout Evaluated, errors: inout [SchemaViolation]
    ) -> Bool {
        var matched = false
        var failures: [[SchemaViolation]] = []
        for branch in branches {
            var branchErrors: [SchemaViolation] = []
            let outcome = evaluate(branch, instance, report: report && !matched, track: track, errors: &branchErrors)
            if outcome.valid {
                matched = true
                if track { evaluated.formUnion(outcome.evaluated) }
                // Later branches only matter for the properties and items they evaluate.
                if !track { break }
            } else if !matched {
                failures.append(branchErrors)
            }
        }
        if !matched, report { reportNoMatch(branches, failures, instance, keyword: "anyOf", errors: &errors) }
        return matched
    }

    /// `oneOf`: exactly one branch must match.
    mutating func applyOneOf(
        _ branches: [Int], _ instance: JSONValue, report: Bool, track: Bool,
        evaluated: inout Evaluated, errors: inout [SchemaViolation]
    ) -> Bool {
        var matches: [Int] = []
        var matchedEvaluation = Evaluated()
        var failures: [[SchemaViolation]] = []
        for (position, branch) in branches.enumerated() {
            var branchErrors: [SchemaViolation] = []
            let outcome = evaluate(branch, instance, report: report && matches.isEmpty, track: track, errors: &branchErrors)
            if outcome.valid {
                matches.append(position)
                matchedEvaluation = outcome.evaluated
                if matches.count > 1, !report { return false }
            } else if matches.isEmpty {
                failures.append(branchErrors)
            }
        }
        if matches.count == 1 {
            if track { evaluated.formUnion(matchedEvaluation) }
            return true
        }
        if report {
            if matches.isEmpty {
                reportNoMatch(branches, failures, instance, keyword: "oneOf", errors: &errors)
            } else {
                errors.append(severalMatchesViolation(matches))
            }
        }
        return false
    }

    func severalMatchesViolation(_ matches: [Int]) -> SchemaViolation {
        let listed = matches.map(String.init).joined(separator: ", ")
        return violation("must match exactly one of the \"oneOf\" schemas, but matches schemas \(listed)")
    }

    /// Explains why no alternative of an `anyOf` or `oneOf` matched.
    ///
    /// Alternatives are usually told apart by `type`: when none of them admits the instance's
    /// type, one "expected A or B" says it all; when exactly one does, its own violations
    /// are the useful ones. Otherwise a summary names the keyword.
    func reportNoMatch(
        _ branches: [Int], _ failures: [[SchemaViolation]], _ instance: JSONValue,
        keyword: String, errors: inout [SchemaViolation]
    ) {
        var expected: SchemaTypes = []
        var admitting: [Int] = []
        for (position, branch) in branches.enumerated() {
            if let types = declaredTypes(branch), !types.admits(instance) {
                expected.formUnion(types)
            } else {
                admitting.append(position)
            }
        }
        if admitting.isEmpty {
            errors.append(violation("expected \(expected.description), got \(instance.typeName)"))
        } else if admitting.count == 1, failures.count == branches.count, !failures[admitting[0]].isEmpty {
            errors.append(contentsOf: failures[admitting[0]])
        } else {
            errors.append(violation("must match \(keyword == "oneOf" ? "exactly" : "at least") one of the \"\(keyword)\" schemas, but matches none"))
        }
    }

    /// The types a schema restricts instances to with a top-level `type`, if it does.
    func declaredTypes(_ index: Int) -> SchemaTypes? {
        guard case .keywords(let keywords) = program.nodes[index].body else { return nil }
        for case .type(let types) in keywords { return types }
        return nil
    }
}
