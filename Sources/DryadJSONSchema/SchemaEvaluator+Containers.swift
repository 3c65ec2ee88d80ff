import DryadJSON

/// Applicators on arrays and objects: items, contains, properties, property names.
extension SchemaEvaluator {
    // MARK: - Arrays

    mutating func applyPrefixItems(
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
    mutating func applyItems(
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
    mutating func applyContains(
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
    mutating func applyUnevaluatedItems(
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

    mutating func applyToItem(
        _ schema: Int, _ items: [JSONValue], _ position: Int, report: Bool,
        errors: inout [SchemaViolation]
    ) -> Bool {
        path.append(.index(position))
        defer { path.removeLast() }
        return evaluate(schema, items[position], report: report, track: false, errors: &errors).valid
    }

    static func tooManyItems(_ limit: Int, _ actual: Int) -> String {
        "must have at most \(count(limit, "item")), got \(actual)"
    }

    static func containsFailure(_ matches: Int, _ minimum: Int, _ maximum: Int?) -> String? {
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
    static func keys(of members: [String: JSONValue], sorted: Bool) -> [String] {
        sorted ? members.keys.sorted() : Array(members.keys)
    }

    mutating func applyProperties(
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

    mutating func applyPatternProperties(
        _ patterns: [PatternSchema], _ members: [String: JSONValue],
        report: Bool, track: Bool, evaluated: inout Evaluated,
        errors: inout [SchemaViolation]
    ) -> Bool {
        var valid = true
        for key in Self.keys(of: members, sorted: report) {
            for pattern in patterns where pattern.regex.matches(key, budget: &budget) {
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
    mutating func applyToProperties(
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
    mutating func applyToProperty(
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

    func propertyNotAllowed(_ name: String, kind: String?) -> SchemaViolation {
        violation("\(kind.map { "\($0) property" } ?? "property") \(SchemaCompiler.quoted(name)) is not allowed")
    }

    /// `propertyNames`: each property name, as a string instance, must match the subschema.
    mutating func applyPropertyNames(
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
    func propertyNameViolations(_ key: String, _ schema: Int, _ nameErrors: [SchemaViolation]) -> [SchemaViolation] {
        let name = SchemaCompiler.quoted(key)
        if program.nodes[schema].isFalse { return [violation("property name \(name) is not allowed")] }
        return nameErrors.map { violation("property name \(name): \($0.message)") }
    }
}
