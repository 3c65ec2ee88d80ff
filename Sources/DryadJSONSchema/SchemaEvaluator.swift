import DryadJSON

/// Validates one instance against a compiled `SchemaProgram`.
///
/// An evaluator is created per validation; it carries the state of one walk: the instance
/// path (turned into a JSON pointer only when a violation is reported), the dynamic scope
/// for `$dynamicRef`, the `$ref`s being followed (to stop loops), the nesting depth and the
/// work left in its budget.
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
    /// The work this validation may still do, in steps (`SchemaBudget`); below zero the walk
    /// stops and the validation is refused, whatever it had found so far.
    var budget: Int
    var path: [JSONPathStep] = []
    var dynamicScope: [Int] = []
    var followedReferences: [(node: Int, pathLength: Int)] = []
    var depth = 0
    /// An address near the top of the stack when validation began.
    let stackStart = Self.stackAddress()

    init(program: SchemaProgram, budget: Int) {
        self.program = program
        self.budget = budget
    }

    /// Whether the walk has spent its budget.
    var isOutOfBudget: Bool { budget < 0 }

    /// Applies node `index` to `instance`.
    ///
    /// - Parameters:
    ///   - report: append violations to `errors` (otherwise stop at the first failure).
    ///   - track: record evaluated properties and items in the outcome.
    mutating func evaluate(
        _ index: Int, _ instance: JSONValue, report: Bool, track: Bool,
        errors: inout [SchemaViolation]
    ) -> Outcome {
        // Every schema applied to every instance location costs a step: a `$ref` fan-out
        // doubles the steps at each level, so it runs out here instead of running for minutes.
        budget -= SchemaBudget.stepsPerSchema
        guard !isOutOfBudget else { return Outcome(valid: false) }
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
    func stackIsNearlyFull() -> Bool {
        guard depth >= Self.stackCheckDepth else { return false }
        let current = Self.stackAddress()
        return current < stackStart && stackStart - current > Self.stackBudget
    }

    /// An address in the caller's stack frame.
    @inline(never)
    static func stackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    /// Applies one keyword; adds what it evaluated to `evaluated` when tracking.
    ///
    /// The functions that may recurse into `evaluate` are kept small and free of message
    /// building, and dispatch happens in two steps, because unoptimised builds give each
    /// function a stack frame with room for every local of every branch, and these frames
    /// repeat at every level of a deep instance.
    mutating func apply(
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
    mutating func applyReference(
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
    mutating func applyInPlace(
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
    mutating func applyToItems(
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
    mutating func applyToMembers(
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
            let additional = Self.additionalKeys(members, declared, patterns, sorted: report, budget: &budget)
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
    static func presentDependents(_ dependents: [NamedSchema], _ instance: JSONValue) -> [Int] {
        guard case .object(let members) = instance else { return [] }
        return dependents.filter { members[$0.name] != nil }.map(\.node)
    }

    /// The properties neither `properties` nor `patternProperties` apply to.
    static func additionalKeys(
        _ members: [String: JSONValue], _ declared: Set<String>,
        _ patterns: [SchemaRegex], sorted: Bool, budget: inout Int
    ) -> [String] {
        var additional: [String] = []
        for key in keys(of: members, sorted: sorted) where !declared.contains(key) {
            var matched = false
            for pattern in patterns where pattern.matches(key, budget: &budget) {
                matched = true
                break
            }
            if !matched { additional.append(key) }
        }
        return additional
    }

    // MARK: - References

    /// The schema a `$dynamicRef` leads to: the outermost resource in the dynamic scope that
    /// declares the anchor wins over the statically resolved target.
    func dynamicTarget(_ target: Int, _ anchor: String?) -> Int {
        guard let anchor else { return target }
        for resource in dynamicScope {
            if let candidate = program.resources[resource].dynamicAnchors[anchor] { return candidate }
        }
        return target
    }

    /// Applies the schema a `$ref` or `$dynamicRef` leads to.
    mutating func follow(
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

    func loopViolation(_ node: Int) -> SchemaViolation {
        violation("the reference at \(SchemaCompiler.display(program.nodes[node].location)) in the schema loops back to itself")
    }

    // MARK: - Reporting

    func tooDeepViolation() -> SchemaViolation {
        violation("the value or the schema is nested too deeply to validate")
    }

    /// A violation at the current instance location.
    func violation(_ message: String) -> SchemaViolation {
        SchemaViolation(pointer: path.jsonPointer, message: message)
    }

    /// `1 item`, `2 items`, `1 property`, `3 properties`.
    static func count(_ n: Int, _ noun: String) -> String {
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
    static func write(_ value: JSONValue, into text: inout String) {
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
