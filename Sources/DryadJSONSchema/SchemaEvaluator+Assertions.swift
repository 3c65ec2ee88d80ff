import DryadJSON

/// Keywords that assert something about the instance itself (type, bounds, formats, enum).
extension SchemaEvaluator {
    // MARK: - Assertions

    /// Applies a keyword that only asserts something about the instance itself.
    mutating func check(
        _ keyword: SchemaKeyword, _ instance: JSONValue, report: Bool,
        errors: inout [SchemaViolation]
    ) -> Bool {
        let messages = Self.failures(of: keyword, instance, stopAtFirst: !report, budget: &budget)
        if isOutOfBudget { return false }
        if report { errors.append(contentsOf: messages.map(violation)) }
        return messages.isEmpty
    }

    /// Why an assertion keyword fails for `instance`; empty when it holds. Comparing values and
    /// matching patterns spend `budget`.
    static func failures(of keyword: SchemaKeyword, _ instance: JSONValue, stopAtFirst: Bool, budget: inout Int) -> [String] {
        switch (keyword, instance) {
        case (.type(let types), _):
            if !types.admits(instance) { return ["expected \(types.description), got \(instance.typeName)"] }
        case (.const(let value), _):
            if !SchemaEquality.equal(instance, value, budget: &budget) { return ["must be equal to \(shortText(value))"] }
        case (.enumeration(let values), _):
            if !values.contains(where: { SchemaEquality.equal(instance, $0, budget: &budget) }) {
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
            if !regex.matches(text, budget: &budget) {
                return ["\(SchemaCompiler.quoted(text)) does not match the pattern \(SchemaCompiler.quoted(regex.source))"]
            }

        case (.minItems(let limit), .array(let items)):
            if items.count < limit { return ["must have at least \(count(limit, "item")), got \(items.count)"] }
        case (.maxItems(let limit), .array(let items)):
            if items.count > limit { return ["must have at most \(count(limit, "item")), got \(items.count)"] }
        case (.uniqueItems, .array(let items)):
            if let (first, second) = firstDuplicate(items, budget: &budget) {
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

    /// The positions of the first two equal items, if any. Items are hashed whole, so only
    /// equal items (or a true hash collision) are compared: linear in the size of the array,
    /// however alike its items are.
    static func firstDuplicate(_ items: [JSONValue], budget: inout Int) -> (Int, Int)? {
        var buckets: [Int: [Int]] = [:]
        for (position, item) in items.enumerated() {
            let hash = SchemaEquality.hash(item, budget: &budget)
            if budget < 0 { return nil }
            for earlier in buckets[hash, default: []] where SchemaEquality.equal(items[earlier], item, budget: &budget) {
                return (earlier, position)
            }
            buckets[hash, default: []].append(position)
        }
        return nil
    }
}
