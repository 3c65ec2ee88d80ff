/// Validates one instance against a compiled `SchemaProgram`.
///
/// An evaluator is created per validation; it carries the state of one walk: the instance
/// path (turned into a JSON pointer only when a violation is reported), the dynamic scope
/// for `$dynamicRef`, the `$ref`s being followed (to stop loops) and the nesting depth.
struct SchemaEvaluator {
    /// The deepest nesting of schema evaluations: deeper instances (or reference chains)
    /// are reported as a violation instead of risking the thread's stack.
    static let maxDepth = 200
    /// The most stack one validation may use, in bytes. Frame sizes differ several-fold
    /// between optimised and unoptimised builds, and threads may have as little as 512 KB
    /// (secondary threads on macOS), so the depth limit alone cannot keep evaluation safe.
    static let stackBudget: UInt = 256 * 1024
    /// From this depth on, evaluation also checks its stack use against `stackBudget`.
    static let stackCheckDepth = 16

    /// The properties and items that a schema's keywords evaluated, which `unevaluatedItems`
    /// and `unevaluatedProperties` must skip (the specification's annotations).
    struct Evaluated {
        var allItems = false
        /// The items before this index were evaluated (by `prefixItems`).
        var itemPrefix = 0
        /// Items evaluated individually (by `contains`).
        var itemIndices: Set<Int> = []
        var properties: Set<String> = []

        mutating func formUnion(_ other: Evaluated) {
            allItems = allItems || other.allItems
            itemPrefix = max(itemPrefix, other.itemPrefix)
            itemIndices.formUnion(other.itemIndices)
            properties.formUnion(other.properties)
        }

        func isItemEvaluated(_ index: Int) -> Bool {
            allItems || index < itemPrefix || itemIndices.contains(index)
        }
    }

    /// The result of applying one schema: whether the instance matched, and, when the
    /// caller asked for tracking, what the schema evaluated.
    struct Outcome {
        var valid: Bool
        var evaluated = Evaluated()
    }

    let program: SchemaProgram
    private var path: [JSONPathStep] = []
    private var dynamicScope: [Int] = []
    private var followedReferences: [(node: Int, pathLength: Int)] = []
    private var depth = 0
    /// An address near the top of the stack when validation began.
    private let stackStart = Self.stackAddress()

    init(program: SchemaProgram) {
        self.program = program
    }

    /// Applies node `index` to `instance`.
    ///
    /// - Parameters:
    ///   - report: append violations to `errors` (otherwise stop at the first failure).
    ///   - track: record evaluated properties and items in the outcome.
    mutating func evaluate(
        _ index: Int, _ instance: JSONValue, report: Bool, track: Bool,
        errors: inout [SchemaViolation]
    ) -> Outcome {
        guard case .keywords(let keywords) = program.nodes[index].body else {
            if program.nodes[index].isFalse {
                if report { errors.append(violation("no value is allowed here")) }
                return Outcome(valid: false)
            }
            return Outcome(valid: true)
        }
        guard depth < Self.maxDepth, !stackIsNearlyFull() else {
            if report { errors.append(tooDeepViolation()) }
            return Outcome(valid: false)
        }
        depth += 1
        let resource = program.nodes[index].resource
        let entersResource = dynamicScope.last != resource
        if entersResource { dynamicScope.append(resource) }

        let track = track || program.nodes[index].tracksEvaluation
        var evaluated = Evaluated()
        var valid = true
        for keyword in keywords {
            if !apply(
                keyword, to: instance, node: index, report: report, track: track,
                evaluated: &evaluated, errors: &errors)
            {
                valid = false
                if !report { break }
            }
        }
        if entersResource { dynamicScope.removeLast() }
        depth -= 1
        return Outcome(valid: valid, evaluated: track ? evaluated : Evaluated())
    }

    /// Whether this validation has used up its stack budget (stacks grow downwards on every
    /// platform Swift supports).
    private func stackIsNearlyFull() -> Bool {
        guard depth >= Self.stackCheckDepth else { return false }
        let current = Self.stackAddress()
        return current < stackStart && stackStart - current > Self.stackBudget
    }

    /// An address in the caller's stack frame.
    @inline(never)
    private static func stackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    /// Applies one keyword; adds what it evaluated to `evaluated` when tracking.
    ///
    /// The functions that may recurse into `evaluate` are kept small and free of message
    /// building, and dispatch happens in two steps, because unoptimised builds give each
    /// function a stack frame with room for every local of every branch, and these frames
    /// repeat at every level of a deep instance.
    private mutating func apply(
        _ keyword: SchemaKeyword, to instance: JSONValue, node: Int,
        report: Bool, track: Bool, evaluated: inout Evaluated,
        errors: inout [SchemaViolation]
    ) -> Bool {
        switch keyword {
        case .ref, .dynamicRef:
            return applyReference(
                keyword, instance, node: node, report: report, track: track,
                evaluated: &evaluated, errors: &errors)
        case .allOf, .anyOf, .oneOf, .not, .conditional, .dependentSchemas:
            return applyInPlace(keyword, instance, report: report, track: track, evaluated: &evaluated, errors: &errors)
        case .prefixItems, .items, .contains, .unevaluatedItems:
            guard case .array(let items) = instance else { return true }
            return applyToItems(keyword, items, report: report, track: track, evaluated: &evaluated, errors: &errors)
        case .properties, .patternProperties, .additionalProperties, .unevaluatedProperties, .propertyNames:
            guard case .object(let members) = instance else { return true }
            return applyToMembers(keyword, members, report: report, track: track, evaluated: &evaluated, errors: &errors)
        case .type, .const, .enumeration, .multipleOf, .minimum, .maximum, .minLength, .maxLength, .pattern,
            .minItems, .maxItems, .uniqueItems, .required, .dependentRequired, .minProperties, .maxProperties:
            return check(keyword, instance, report: report, errors: &errors)
        }
    }

    /// `$ref` and `$dynamicRef`.
    private mutating func applyReference(
        _ keyword: SchemaKeyword, _ instance: JSONValue, node: Int,
        report: Bool, track: Bool, evaluated: inout Evaluated,
        errors: inout [SchemaViolation]
    ) -> Bool {
        let target: Int
        switch keyword {
        case .ref(let reference): target = reference
        case .dynamicRef(let reference, let anchor): target = dynamicTarget(reference, anchor)
        default: return true
        }
        return follow(target, from: node, instance, report: report, track: track, evaluated: &evaluated, errors: &errors)
    }

    /// The applicators that apply subschemas to the instance itself.
    private mutating func applyInPlace(
        _ keyword: SchemaKeyword, _ instance: JSONValue, report: Bool, track: Bool,
        evaluated: inout Evaluated, errors: inout [SchemaViolation]
    ) -> Bool {
        switch keyword {
        case .allOf(let branches):
            return applyAll(branches, instance, report: report, track: track, evaluated: &evaluated, errors: &errors)
        case .anyOf(let branches):
            return applyAnyOf(branches, instance, report: report, track: track, evaluated: &evaluated, errors: &errors)
        case .oneOf(let branches):
            return applyOneOf(branches, instance, report: report, track: track, evaluated: &evaluated, errors: &errors)
        case .not(let negated):
            return applyNot(negated, instance, report: report, errors: &errors)
        case .conditional(let condition, let thenBranch, let elseBranch):
            return applyConditional(
                condition, thenBranch, elseBranch, instance, report: report, track: track,
                evaluated: &evaluated, errors: &errors)
        case .dependentSchemas(let dependents):
            return applyAll(
                Self.presentDependents(dependents, instance), instance, report: report, track: track,
                evaluated: &evaluated, errors: &errors)
        default:
            return true
        }
    }

    /// The applicators that apply subschemas to an array's items.
    private mutating func applyToItems(
        _ keyword: SchemaKeyword, _ items: [JSONValue], report: Bool, track: Bool,
        evaluated: inout Evaluated, errors: inout [SchemaViolation]
    ) -> Bool {
        switch keyword {
        case .prefixItems(let schemas):
            return applyPrefixItems(schemas, items, report: report, track: track, evaluated: &evaluated, errors: &errors)
        case .items(let schema, let start):
            return applyItems(schema, after: start, items, report: report, track: track, evaluated: &evaluated, errors: &errors)
        case .contains(let schema, let minimum, let maximum):
            return applyContains(
                schema, minimum, maximum, items, report: report, track: track,
                evaluated: &evaluated, errors: &errors)
        case .unevaluatedItems(let schema):
            return applyUnevaluatedItems(schema, items, report: report, evaluated: &evaluated, errors: &errors)
        default:
            return true
        }
    }

    /// The applicators that apply subschemas to an object's properties or their names.
    private mutating func applyToMembers(
        _ keyword: SchemaKeyword, _ members: [String: JSONValue], report: Bool,
        track: Bool, evaluated: inout Evaluated,
        errors: inout [SchemaViolation]
    ) -> Bool {
        switch keyword {
        case .properties(let schemas):
            return applyProperties(schemas, members, report: report, track: track, evaluated: &evaluated, errors: &errors)
        case .patternProperties(let patterns):
            return applyPatternProperties(
                patterns, members, report: report, track: track, evaluated: &evaluated,
                errors: &errors)
        case .additionalProperties(let schema, let declared, let patterns):
            let additional = Self.additionalKeys(members, declared, patterns, sorted: report)
            if track { evaluated.properties.formUnion(additional) }
            return applyToProperties(schema, additional, members, kind: "additional", report: report, errors: &errors)
        case .unevaluatedProperties(let schema):
            let unevaluated = Self.keys(of: members, sorted: report).filter { !evaluated.properties.contains($0) }
            evaluated.properties.formUnion(unevaluated)
            return applyToProperties(schema, unevaluated, members, kind: "unevaluated", report: report, errors: &errors)
        case .propertyNames(let schema):
            return applyPropertyNames(schema, members, report: report, errors: &errors)
        default:
            return true
        }
    }

    /// The `dependentSchemas` schemas whose property the instance has.
    private static func presentDependents(_ dependents: [NamedSchema], _ instance: JSONValue) -> [Int] {
        guard case .object(let members) = instance else { return [] }
        return dependents.filter { members[$0.name] != nil }.map(\.node)
    }

    /// The properties neither `properties` nor `patternProperties` apply to.
    private static func additionalKeys(
        _ members: [String: JSONValue], _ declared: Set<String>,
        _ patterns: [SchemaRegex], sorted: Bool
    ) -> [String] {
        keys(of: members, sorted: sorted).filter { key in
            !declared.contains(key) && !patterns.contains(where: { $0.matches(key) })
        }
    }

    // MARK: - Assertions

    /// Applies a keyword that only asserts something about the instance itself.
    private func check(
        _ keyword: SchemaKeyword, _ instance: JSONValue, report: Bool,
        errors: inout [SchemaViolation]
    ) -> Bool {
        let messages = Self.failures(of: keyword, instance, stopAtFirst: !report)
        if report { errors.append(contentsOf: messages.map(violation)) }
        return messages.isEmpty
    }

    /// Why an assertion keyword fails for `instance`; empty when it holds.
    private static func failures(of keyword: SchemaKeyword, _ instance: JSONValue, stopAtFirst: Bool) -> [String] {
        switch (keyword, instance) {
        case (.type(let types), _):
            if !types.admits(instance) { return ["expected \(types.description), got \(instance.typeName)"] }
        case (.const(let value), _):
            if !SchemaEquality.equal(instance, value) { return ["must be equal to \(shortText(value))"] }
        case (.enumeration(let values), _):
            if !values.contains(where: { SchemaEquality.equal(instance, $0) }) {
                let listed = values.prefix(10).map(shortText).joined(separator: ", ")
                return ["must be one of \(listed)\(values.count > 10 ? ", ..." : "")"]
            }

        case (.multipleOf(let divisor, let text), _):
            if let value = SchemaDecimal(instance), let number = SchemaNumber(instance), !value.isMultiple(of: divisor) {
                return ["\(number.text) is not a multiple of \(text)"]
            }
        case (.minimum(let limit, let exclusive), _):
            guard let number = SchemaNumber(instance) else { break }
            let order = number.compare(to: limit)
            if exclusive, order <= 0 { return ["\(number.text) is not greater than the exclusive minimum \(limit.text)"] }
            if !exclusive, order < 0 { return ["\(number.text) is less than the minimum \(limit.text)"] }
        case (.maximum(let limit, let exclusive), _):
            guard let number = SchemaNumber(instance) else { break }
            let order = number.compare(to: limit)
            if exclusive, order >= 0 { return ["\(number.text) is not less than the exclusive maximum \(limit.text)"] }
            if !exclusive, order > 0 { return ["\(number.text) is greater than the maximum \(limit.text)"] }

        // Lengths count Unicode code points, as the specification says.
        case (.minLength(let limit), .string(let text)):
            let length = text.unicodeScalars.count
            if length < limit { return ["must be at least \(count(limit, "character")) long, got \(length)"] }
        case (.maxLength(let limit), .string(let text)):
            let length = text.unicodeScalars.count
            if length > limit { return ["must be at most \(count(limit, "character")) long, got \(length)"] }
        case (.pattern(let regex), .string(let text)):
            if !regex.matches(text) {
                return ["\(SchemaCompiler.quoted(text)) does not match the pattern \(SchemaCompiler.quoted(regex.source))"]
            }

        case (.minItems(let limit), .array(let items)):
            if items.count < limit { return ["must have at least \(count(limit, "item")), got \(items.count)"] }
        case (.maxItems(let limit), .array(let items)):
            if items.count > limit { return ["must have at most \(count(limit, "item")), got \(items.count)"] }
        case (.uniqueItems, .array(let items)):
            if let (first, second) = firstDuplicate(items) {
                return ["items \(first) and \(second) are equal, but items must be unique"]
            }

        case (.required(let names), .object(let members)):
            var messages: [String] = []
            for name in names where members[name] == nil {
                messages.append("missing required property \(SchemaCompiler.quoted(name))")
                if stopAtFirst { break }
            }
            return messages
        case (.dependentRequired(let dependencies), .object(let members)):
            var messages: [String] = []
            for dependency in dependencies where members[dependency.property] != nil {
                for name in dependency.required where members[name] == nil {
                    messages.append(
                        "missing property \(SchemaCompiler.quoted(name)), required when "
                            + "\(SchemaCompiler.quoted(dependency.property)) is present")
                    if stopAtFirst { return messages }
                }
            }
            return messages
        case (.minProperties(let limit), .object(let members)):
            if members.count < limit { return ["must have at least \(count(limit, "property")), got \(members.count)"] }
        case (.maxProperties(let limit), .object(let members)):
            if members.count > limit { return ["must have at most \(count(limit, "property")), got \(members.count)"] }
        default:
            break
        }
        return []
    }

    /// The positions of the first two equal items, if any.
    private static func firstDuplicate(_ items: [JSONValue]) -> (Int, Int)? {
        var buckets: [Int: [Int]] = [:]
        for (position, item) in items.enumerated() {
            let hash = SchemaEquality.shallowHash(item)
            for earlier in buckets[hash, default: []] where SchemaEquality.equal(items[earlier], item) {
                return (earlier, position)
            }
            buckets[hash, default: []].append(position)
        }
        return nil
    }

    // MARK: - References

    /// The schema a `$dynamicRef` leads to: the outermost resource in the dynamic scope that
    /// declares the anchor wins over the statically resolved target.
    private func dynamicTarget(_ target: Int, _ anchor: String?) -> Int {
        guard let anchor else { return target }
        for resource in dynamicScope {
            if let candidate = program.resources[resource].dynamicAnchors[anchor] { return candidate }
        }
        return target
    }

    /// Applies the schema a `$ref` or `$dynamicRef` leads to.
    private mutating func follow(
        _ target: Int, from node: Int, _ instance: JSONValue, report: Bool, track: Bool,
        evaluated: inout Evaluated, errors: inout [SchemaViolation]
    ) -> Bool {
        // Reaching the same schema again for the same instance location without having
        // descended into the instance can only repeat forever.
        if followedReferences.contains(where: { $0.node == target && $0.pathLength == path.count }) {
            if report { errors.append(loopViolation(node)) }
            return false
        }
        followedReferences.append((target, path.count))
        defer { followedReferences.removeLast() }
        let outcome = evaluate(target, instance, report: report, track: track, errors: &errors)
        if outcome.valid, track { evaluated.formUnion(outcome.evaluated) }
        return outcome.valid
    }

    private func loopViolation(_ node: Int) -> SchemaViolation {
        violation("the reference at \(SchemaCompiler.display(program.nodes[node].location)) in the schema loops back to itself")
    }

    // MARK: - In-place applicators

    /// `allOf`, and the `dependentSchemas` whose property is present: every schema must match.
    private mutating func applyAll(
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
    private mutating func applyNot(
        _ negated: Int, _ instance: JSONValue, report: Bool,
        errors: inout [SchemaViolation]
    ) -> Bool {
        var ignored: [SchemaViolation] = []
        guard evaluate(negated, instance, report: false, track: false, errors: &ignored).valid else { return true }
        if report { errors.append(violation("must not match the \"not\" schema")) }
        return false
    }

    /// `if`/`then`/`else`: `if` only chooses the branch; its failure is no violation.
    private mutating func applyConditional(
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
    private mutating func applyAnyOf(
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
    private mutating func applyOneOf(
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

    private func severalMatchesViolation(_ matches: [Int]) -> SchemaViolation {
        let listed = matches.map(String.init).joined(separator: ", ")
        return violation("must match exactly one of the \"oneOf\" schemas, but matches schemas \(listed)")
    }

    /// Explains why no alternative of an `anyOf` or `oneOf` matched.
    ///
    /// Alternatives are usually told apart by `type`: when none of them admits the instance's
    /// type, one "expected A or B" says it all; when exactly one does, its own violations
    /// are the useful ones. Otherwise a summary names the keyword.
    private func reportNoMatch(
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
    private func declaredTypes(_ index: Int) -> SchemaTypes? {
        guard case .keywords(let keywords) = program.nodes[index].body else { return nil }
        for case .type(let types) in keywords { return types }
        return nil
    }

    // MARK: - Arrays

    private mutating func applyPrefixItems(
        _ schemas: [Int], _ items: [JSONValue], report: Bool, track: Bool,
        evaluated: inout Evaluated, errors: inout [SchemaViolation]
    ) -> Bool {
        let count = min(schemas.count, items.count)
        if track { evaluated.itemPrefix = max(evaluated.itemPrefix, count) }
        var valid = true
        for position in 0..<count where !applyToItem(schemas[position], items, position, report: report, errors: &errors) {
            valid = false
            if !report { return false }
        }
        return valid
    }

    /// `items`, which applies to the items after the first `start` (those of `prefixItems`).
    private mutating func applyItems(
        _ schema: Int, after start: Int, _ items: [JSONValue], report: Bool, track: Bool,
        evaluated: inout Evaluated, errors: inout [SchemaViolation]
    ) -> Bool {
        if track { evaluated.allItems = true }
        guard items.count > start else { return true }
        if program.nodes[schema].isFalse {
            if report { errors.append(violation(Self.tooManyItems(start, items.count))) }
            return false
        }
        var valid = true
        for position in start..<items.count where !applyToItem(schema, items, position, report: report, errors: &errors) {
            valid = false
            if !report { return false }
        }
        return valid
    }

    /// `contains` with `minContains` and `maxContains`: counts the matching items.
    private mutating func applyContains(
        _ schema: Int, _ minimum: Int, _ maximum: Int?, _ items: [JSONValue],
        report: Bool, track: Bool, evaluated: inout Evaluated,
        errors: inout [SchemaViolation]
    ) -> Bool {
        var matches = 0
        var ignored: [SchemaViolation] = []
        for position in items.indices {
            path.append(.index(position))
            let matched = evaluate(schema, items[position], report: false, track: false, errors: &ignored).valid
            path.removeLast()
            guard matched else { continue }
            matches += 1
            if track { evaluated.itemIndices.insert(position) }
            // Without tracking or a maximum, counting further changes nothing.
            if !track, maximum == nil, matches >= minimum { break }
        }
        if let message = Self.containsFailure(matches, minimum, maximum) {
            if report { errors.append(violation(message)) }
            return false
        }
        return true
    }

    /// `unevaluatedItems`: applies to the items no other keyword of this schema (or of its
    /// matching in-place subschemas) evaluated.
    private mutating func applyUnevaluatedItems(
        _ schema: Int, _ items: [JSONValue], report: Bool,
        evaluated: inout Evaluated, errors: inout [SchemaViolation]
    ) -> Bool {
        let isFalse = program.nodes[schema].isFalse
        var valid = true
        for position in items.indices where !evaluated.isItemEvaluated(position) {
            if isFalse {
                if report { errors.append(violation("unevaluated item \(position) is not allowed")) }
            } else if applyToItem(schema, items, position, report: report, errors: &errors) {
                continue
            }
            valid = false
            if !report { return false }
        }
        evaluated.allItems = true
        return valid
    }

    private mutating func applyToItem(
        _ schema: Int, _ items: [JSONValue], _ position: Int, report: Bool,
        errors: inout [SchemaViolation]
    ) -> Bool {
        path.append(.index(position))
        defer { path.removeLast() }
        return evaluate(schema, items[position], report: report, track: false, errors: &errors).valid
    }

    private static func tooManyItems(_ limit: Int, _ actual: Int) -> String {
        "must have at most \(count(limit, "item")), got \(actual)"
    }

    private static func containsFailure(_ matches: Int, _ minimum: Int, _ maximum: Int?) -> String? {
        if matches < minimum {
            return minimum == 1
                ? "must contain an item that matches the \"contains\" schema"
                : "must contain at least \(count(minimum, "item")) matching the \"contains\" schema, got \(matches)"
        }
        if let maximum, matches > maximum {
            return "must contain at most \(count(maximum, "item")) matching the \"contains\" schema, got \(matches)"
        }
        return nil
    }

    // MARK: - Objects

    /// The keys of an object; sorted when reporting, so that reports are reproducible.
    private static func keys(of members: [String: JSONValue], sorted: Bool) -> [String] {
        sorted ? members.keys.sorted() : Array(members.keys)
    }

    private mutating func applyProperties(
        _ schemas: [NamedSchema], _ members: [String: JSONValue], report: Bool,
        track: Bool, evaluated: inout Evaluated,
        errors: inout [SchemaViolation]
    ) -> Bool {
        var valid = true
        for property in schemas {
            guard let value = members[property.name] else { continue }
            if track { evaluated.properties.insert(property.name) }
            if !applyToProperty(property.node, property.name, value, kind: nil, report: report, errors: &errors) {
                valid = false
                if !report { return false }
            }
        }
        return valid
    }

    private mutating func applyPatternProperties(
        _ patterns: [PatternSchema], _ members: [String: JSONValue],
        report: Bool, track: Bool, evaluated: inout Evaluated,
        errors: inout [SchemaViolation]
    ) -> Bool {
        var valid = true
        for key in Self.keys(of: members, sorted: report) {
            for pattern in patterns where pattern.regex.matches(key) {
                if track { evaluated.properties.insert(key) }
                if !applyToProperty(pattern.node, key, members[key] ?? .null, kind: nil, report: report, errors: &errors) {
                    valid = false
                    if !report { return false }
                }
            }
        }
        return valid
    }

    /// `additionalProperties` or `unevaluatedProperties` (`kind`) applied to the given keys.
    private mutating func applyToProperties(
        _ schema: Int, _ keys: [String], _ members: [String: JSONValue],
        kind: String, report: Bool, errors: inout [SchemaViolation]
    ) -> Bool {
        var valid = true
        for key in keys where !applyToProperty(schema, key, members[key] ?? .null, kind: kind, report: report, errors: &errors) {
            valid = false
            if !report { return false }
        }
        return valid
    }

    /// Applies a schema to one property's value; a `false` schema is reported on the object,
    /// since the property's presence is the problem, not its value.
    private mutating func applyToProperty(
        _ schema: Int, _ name: String, _ value: JSONValue, kind: String?,
        report: Bool, errors: inout [SchemaViolation]
    ) -> Bool {
        if program.nodes[schema].isFalse {
            if report { errors.append(propertyNotAllowed(name, kind: kind)) }
            return false
        }
        path.append(.key(name))
        defer { path.removeLast() }
        return evaluate(schema, value, report: report, track: false, errors: &errors).valid
    }

    private func propertyNotAllowed(_ name: String, kind: String?) -> SchemaViolation {
        violation("\(kind.map { "\($0) property" } ?? "property") \(SchemaCompiler.quoted(name)) is not allowed")
    }

    /// `propertyNames`: each property name, as a string instance, must match the subschema.
    private mutating func applyPropertyNames(
        _ schema: Int, _ members: [String: JSONValue], report: Bool,
        errors: inout [SchemaViolation]
    ) -> Bool {
        var valid = true
        for key in Self.keys(of: members, sorted: report) {
            var nameErrors: [SchemaViolation] = []
            guard !evaluate(schema, .string(key), report: report, track: false, errors: &nameErrors).valid else { continue }
            valid = false
            if !report { return false }
            errors.append(contentsOf: propertyNameViolations(key, schema, nameErrors))
        }
        return valid
    }

    /// Violations of `propertyNames`, said about the object with the name they concern.
    private func propertyNameViolations(_ key: String, _ schema: Int, _ nameErrors: [SchemaViolation]) -> [SchemaViolation] {
        let name = SchemaCompiler.quoted(key)
        if program.nodes[schema].isFalse { return [violation("property name \(name) is not allowed")] }
        return nameErrors.map { violation("property name \(name): \($0.message)") }
    }

    // MARK: - Reporting

    private func tooDeepViolation() -> SchemaViolation {
        violation("the value or the schema is nested too deeply to validate")
    }

    /// A violation at the current instance location.
    private func violation(_ message: String) -> SchemaViolation {
        SchemaViolation(pointer: path.jsonPointer, message: message)
    }

    /// `1 item`, `2 items`, `1 property`, `3 properties`.
    private static func count(_ n: Int, _ noun: String) -> String {
        if n == 1 { return "1 \(noun)" }
        let plural = noun.hasSuffix("y") ? noun.dropLast() + "ies" : noun + "s"
        return n == Int.max ? "any number of \(plural)" : "\(n) \(plural)"
    }

    /// A JSON value as messages quote it: compact JSON, cut short after about 80 characters.
    static func shortText(_ value: JSONValue) -> String {
        var text = ""
        write(value, into: &text)
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    /// Writes compact JSON until the text is long enough; every level of nesting writes a
    /// bracket first, so the recursion is no deeper than the length limit.
    private static func write(_ value: JSONValue, into text: inout String) {
        guard text.utf8.count <= 80 else { return }
        switch value {
        case .array(let items):
            text += "["
            for (position, item) in items.enumerated() {
                guard text.utf8.count <= 80 else { return }
                if position > 0 { text += "," }
                write(item, into: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (position, key) in members.keys.sorted().enumerated() {
                guard text.utf8.count <= 80 else { return }
                if position > 0 { text += "," }
                text += SchemaCompiler.quoted(key) + ":"
                write(members[key] ?? .null, into: &text)
            }
            text += "}"
        case .integer, .number:
            text += SchemaNumber(value)?.text ?? ""
        case .string(let string):
            text += SchemaCompiler.quoted(string)
        case .null, .bool:
            text += value.canonicalText
        }
    }
}
