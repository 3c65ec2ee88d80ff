import DryadJSON
import Foundation

/// The compile pass: each subschema becomes a `SchemaNode` of keywords, references resolved to node indices.
extension SchemaCompiler {
    // MARK: - Nodes

    /// The node index for a location, queueing the location for compilation on first sight.
    mutating func nodeIndex(for location: Location) throws(DryadError) -> Int {
        if let index = nodeIndices[location] { return index }
        let index = nodes.count
        nodeIndices[location] = index
        nodes.append(SchemaNode(body: .always(true), resource: 0, location: location.pointer, tracksEvaluation: false))
        pending.append((index, location))
        return index
    }

    /// Compiles queued locations until none is left.
    mutating func drain() throws(DryadError) {
        while let (index, location) = pending.popLast() {
            nodes[index] = try compileNode(at: location)
        }
    }

    /// Compiles the schema at `location`; its subschemas are only queued, not compiled here.
    mutating func compileNode(at location: Location) throws(DryadError) -> SchemaNode {
        let scope = try scope(for: location)
        let value = JSONPointer.resolve(location.pointer, in: documents[location.document]) ?? .null
        switch value {
        case .bool(let allowed):
            return SchemaNode(
                body: .always(allowed), resource: scope.resource, location: location.pointer,
                tracksEvaluation: false)
        case .object(let members):
            let reader = KeywordReader(members: members, location: location, scope: scope)
            let keywords = try compileKeywords(reader)
            let tracks = members["unevaluatedItems"] != nil || members["unevaluatedProperties"] != nil
            return SchemaNode(
                body: keywords.isEmpty ? .always(true) : .keywords(keywords),
                resource: scope.resource, location: location.pointer, tracksEvaluation: tracks)
        default:
            throw .invalidInput("\(Self.display(location.pointer)): must be a schema (an object or a boolean), got \(value.typeName)")
        }
    }

    /// The members of one schema object being compiled, with helpers that read keywords of
    /// an expected shape and throw a message naming the keyword's pointer otherwise.
    struct KeywordReader {
        let members: [String: JSONValue]
        let location: Location
        let scope: Scope

        func pointer(_ keyword: String) -> String { JSONPointer.appending(keyword, to: location.pointer) }

        func error(_ keyword: String, _ message: String) -> DryadError {
            .invalidInput("\(SchemaCompiler.display(pointer(keyword))): \(message)")
        }

        func string(_ keyword: String) throws(DryadError) -> String? {
            guard let value = members[keyword] else { return nil }
            guard case .string(let text) = value else { throw error(keyword, "must be a string") }
            return text
        }

        func number(_ keyword: String) throws(DryadError) -> SchemaNumber? {
            guard let value = members[keyword] else { return nil }
            guard let number = SchemaNumber(value) else { throw error(keyword, "must be a number") }
            return number
        }

        /// A limit such as `maxLength`: a non-negative integer (`2.0` counts as one).
        func count(_ keyword: String) throws(DryadError) -> Int? {
            guard let value = members[keyword] else { return nil }
            switch value {
            case .integer(let i) where i >= 0:
                return Int(clamping: i)
            case .number(let d) where d >= 0 && d.rounded() == d && d.isFinite:
                // Limits beyond any array or string length all mean "no limit" in practice.
                return d >= 9.0e18 ? Int.max : Int(d)
            default:
                throw error(keyword, "must be a non-negative integer")
            }
        }

        func strings(_ keyword: String) throws(DryadError) -> [String]? {
            guard let value = members[keyword] else { return nil }
            guard case .array(let items) = value else { throw error(keyword, "must be an array of strings") }
            var result: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw error(keyword, "must be an array of strings") }
                result.append(text)
            }
            return result
        }
    }

    /// Compiles the keywords of one schema object, in the order violations are reported.
    mutating func compileKeywords(_ r: KeywordReader) throws(DryadError) -> [SchemaKeyword] {
        var keywords: [SchemaKeyword] = []
        let members = r.members

        // Core.
        for keyword in ["$id", "$schema", "$anchor", "$dynamicAnchor", "$comment"] {
            _ = try r.string(keyword)
        }
        for keyword in ["$anchor", "$dynamicAnchor"] {
            if let name = try r.string(keyword), !Self.isAnchorName(name) {
                throw r.error(keyword, "\(Self.quoted(name)) is not a valid anchor name (a letter or _ followed by letters, digits, -, _ or .)")
            }
        }
        if let vocabulary = members["$vocabulary"], vocabulary.objectValue == nil {
            throw r.error("$vocabulary", "must be an object")
        }
        if let ref = try r.string("$ref") {
            let target = try resolveReference(ref, in: r, keyword: "$ref")
            keywords.append(.ref(try nodeIndex(for: target)))
        }
        if let ref = try r.string("$dynamicRef") {
            let target = try resolveReference(ref, in: r, keyword: "$dynamicRef")
            // Only a reference whose fragment names a $dynamicAnchor of the schema it lands on
            // is dynamic; anything else behaves like $ref.
            var anchor: String?
            let fragment = Self.splitFragment(ref).fragment?.removingPercentEncoding
            if let fragment, !fragment.isEmpty, !fragment.hasPrefix("/"),
                case .object(let targetMembers)? = JSONPointer.resolve(target.pointer, in: documents[target.document]),
                targetMembers["$dynamicAnchor"] == .string(fragment)
            {
                anchor = fragment
            }
            keywords.append(.dynamicRef(target: try nodeIndex(for: target), anchor: anchor))
        }
        for keyword in ["$defs", "definitions"] {
            _ = try schemaMap(keyword, in: r)
        }

        // Any instance.
        if let type = members["type"] {
            keywords.append(.type(try types(type, in: r)))
        }
        if let value = members["const"] {
            keywords.append(.const(value))
        }
        if let value = members["enum"] {
            guard case .array(let values) = value else { throw r.error("enum", "must be an array") }
            keywords.append(.enumeration(values))
        }

        // Numbers.
        if let divisor = members["multipleOf"] {
            guard let number = SchemaNumber(divisor), let decimal = SchemaDecimal(divisor), decimal.mantissa > 0,
                number.compare(to: .integer(0)) > 0
            else {
                throw r.error("multipleOf", "must be a number greater than 0")
            }
            keywords.append(.multipleOf(decimal, text: number.text))
        }
        if let limit = try r.number("minimum") { keywords.append(.minimum(limit, exclusive: false)) }
        if let limit = try r.number("exclusiveMinimum") { keywords.append(.minimum(limit, exclusive: true)) }
        if let limit = try r.number("maximum") { keywords.append(.maximum(limit, exclusive: false)) }
        if let limit = try r.number("exclusiveMaximum") { keywords.append(.maximum(limit, exclusive: true)) }

        // Strings.
        if let limit = try r.count("minLength") { keywords.append(.minLength(limit)) }
        if let limit = try r.count("maxLength") { keywords.append(.maxLength(limit)) }
        if let pattern = try r.string("pattern") {
            keywords.append(.pattern(try regex(pattern, at: r.pointer("pattern"))))
        }
        for keyword in ["format", "contentEncoding", "contentMediaType"] {
            _ = try r.string(keyword)  // annotations only
        }
        _ = try schema("contentSchema", in: r)

        // In-place applicators.
        if let branches = try schemaArray("allOf", in: r) { keywords.append(.allOf(branches)) }
        if let branches = try schemaArray("anyOf", in: r) { keywords.append(.anyOf(branches)) }
        if let branches = try schemaArray("oneOf", in: r) { keywords.append(.oneOf(branches)) }
        if let negated = try schema("not", in: r) { keywords.append(.not(negated)) }
        let thenBranch = try schema("then", in: r)
        let elseBranch = try schema("else", in: r)
        if let condition = try schema("if", in: r) {
            keywords.append(.conditional(if: condition, then: thenBranch, else: elseBranch))
        }
        if let dependents = try schemaMap("dependentSchemas", in: r) { keywords.append(.dependentSchemas(dependents)) }

        // Arrays.
        let prefix = try schemaArray("prefixItems", in: r)
        if let prefix { keywords.append(.prefixItems(prefix)) }
        if case .array? = members["items"] {
            throw r.error("items", "must be a schema; since draft 2020-12 an array of schemas is written \"prefixItems\"")
        }
        if let items = try schema("items", in: r) { keywords.append(.items(items, after: prefix?.count ?? 0)) }
        let minContains = try r.count("minContains")
        let maxContains = try r.count("maxContains")
        if let contains = try schema("contains", in: r) {
            keywords.append(.contains(contains, min: minContains ?? 1, max: maxContains))
        }
        if let limit = try r.count("minItems") { keywords.append(.minItems(limit)) }
        if let limit = try r.count("maxItems") { keywords.append(.maxItems(limit)) }
        if let unique = members["uniqueItems"] {
            guard case .bool(let flag) = unique else { throw r.error("uniqueItems", "must be a boolean") }
            if flag { keywords.append(.uniqueItems) }
        }

        // Objects.
        let properties = try schemaMap("properties", in: r)
        if let properties { keywords.append(.properties(properties)) }
        var patterns: [PatternSchema] = []
        if let value = members["patternProperties"] {
            guard case .object(let entries) = value else {
                throw r.error("patternProperties", "must be an object whose values are schemas")
            }
            for source in entries.keys.sorted() {
                let at = r.pointer("patternProperties")
                let regex = try regex(source, at: JSONPointer.appending(source, to: at))
                let child = Location(document: r.location.document, pointer: JSONPointer.appending(source, to: at))
                patterns.append(PatternSchema(regex: regex, node: try nodeIndex(for: child)))
            }
            keywords.append(.patternProperties(patterns))
        }
        if let additional = try schema("additionalProperties", in: r) {
            keywords.append(
                .additionalProperties(
                    additional, declared: Set((properties ?? []).map(\.name)),
                    patterns: patterns.map(\.regex)))
        }
        if let names = try schema("propertyNames", in: r) { keywords.append(.propertyNames(names)) }
        if let required = try r.strings("required") { keywords.append(.required(required)) }
        if let value = members["dependentRequired"] {
            guard case .object(let entries) = value else {
                throw r.error("dependentRequired", "must be an object whose values are arrays of strings")
            }
            var dependencies: [(property: String, required: [String])] = []
            for name in entries.keys.sorted() {
                guard case .array(let items)? = entries[name], let required = Self.strings(items) else {
                    throw r.error("dependentRequired", "\(Self.quoted(name)) must be an array of strings")
                }
                dependencies.append((name, required))
            }
            keywords.append(.dependentRequired(dependencies))
        }
        keywords += try legacyDependencies(in: r)
        if let limit = try r.count("minProperties") { keywords.append(.minProperties(limit)) }
        if let limit = try r.count("maxProperties") { keywords.append(.maxProperties(limit)) }

        // Unevaluated: last, as they depend on the annotations of all the others.
        if let rest = try schema("unevaluatedItems", in: r) { keywords.append(.unevaluatedItems(rest)) }
        if let rest = try schema("unevaluatedProperties", in: r) { keywords.append(.unevaluatedProperties(rest)) }
        return keywords
    }

    // MARK: - Keyword helpers

    /// Draft 7's `dependencies`, which 2020-12 split into `dependentRequired` (array values)
    /// and `dependentSchemas` (schema values); still common in schemas written for draft 7.
    mutating func legacyDependencies(in r: KeywordReader) throws(DryadError) -> [SchemaKeyword] {
        guard let value = r.members["dependencies"] else { return [] }
        guard case .object(let entries) = value else {
            throw r.error("dependencies", "must be an object whose values are schemas or arrays of strings")
        }
        var required: [(property: String, required: [String])] = []
        var schemas: [NamedSchema] = []
        for name in entries.keys.sorted() {
            switch entries[name] {
            case .array(let items)?:
                guard let names = Self.strings(items) else {
                    throw r.error("dependencies", "\(Self.quoted(name)) must be a schema or an array of strings")
                }
                required.append((name, names))
            default:
                let child = Location(
                    document: r.location.document,
                    pointer: JSONPointer.appending(name, to: r.pointer("dependencies")))
                schemas.append(NamedSchema(name: name, node: try nodeIndex(for: child)))
            }
        }
        var keywords: [SchemaKeyword] = []
        if !schemas.isEmpty { keywords.append(.dependentSchemas(schemas)) }
        if !required.isEmpty { keywords.append(.dependentRequired(required)) }
        return keywords
    }

    /// The node of a keyword whose value is a subschema.
    mutating func schema(_ keyword: String, in r: KeywordReader) throws(DryadError) -> Int? {
        guard r.members[keyword] != nil else { return nil }
        return try nodeIndex(for: Location(document: r.location.document, pointer: r.pointer(keyword)))
    }

    /// The nodes of a keyword whose value is a non-empty array of subschemas.
    mutating func schemaArray(_ keyword: String, in r: KeywordReader) throws(DryadError) -> [Int]? {
        guard let value = r.members[keyword] else { return nil }
        guard case .array(let items) = value, !items.isEmpty else {
            throw r.error(keyword, "must be a non-empty array of schemas")
        }
        var result: [Int] = []
        for index in items.indices {
            result.append(try nodeIndex(for: Location(document: r.location.document, pointer: "\(r.pointer(keyword))/\(index)")))
        }
        return result
    }

    /// The nodes of a keyword whose value is an object of subschemas, sorted by name.
    mutating func schemaMap(_ keyword: String, in r: KeywordReader) throws(DryadError) -> [NamedSchema]? {
        guard let value = r.members[keyword] else { return nil }
        guard case .object(let entries) = value else {
            throw r.error(keyword, "must be an object whose values are schemas")
        }
        var result: [NamedSchema] = []
        for name in entries.keys.sorted() {
            let child = Location(document: r.location.document, pointer: JSONPointer.appending(name, to: r.pointer(keyword)))
            result.append(NamedSchema(name: name, node: try nodeIndex(for: child)))
        }
        return result
    }

    /// The value of `type`: one type name or a non-empty array of them.
    func types(_ value: JSONValue, in r: KeywordReader) throws(DryadError) -> SchemaTypes {
        let names: [JSONValue]
        switch value {
        case .string: names = [value]
        case .array(let items) where !items.isEmpty: names = items
        default: throw r.error("type", "must be a string or an array of strings")
        }
        var types: SchemaTypes = []
        for name in names {
            guard case .string(let text) = name else { throw r.error("type", "must be a string or an array of strings") }
            guard let type = SchemaTypes(name: text) else {
                throw r.error("type", "\(Self.quoted(text)) is not a type (use string, number, integer, boolean, object, array or null)")
            }
            types.insert(type)
        }
        return types
    }

    /// A compiled regular expression; each distinct pattern is compiled once per schema.
    mutating func regex(_ source: String, at pointer: String) throws(DryadError) -> SchemaRegex {
        if let cached = regexes[source] { return cached }
        if source.unicodeScalars.count > SchemaRegex.maxLength {
            throw .invalidInput("\(Self.display(pointer)): a pattern may be at most \(SchemaRegex.maxLength) characters long")
        }
        guard let regex = SchemaRegex(source) else {
            throw .invalidInput("\(Self.display(pointer)): \(Self.quoted(source)) is not a valid regular expression")
        }
        regexes[source] = regex
        return regex
    }

    static func strings(_ items: [JSONValue]) -> [String]? {
        var result: [String] = []
        for item in items {
            guard case .string(let text) = item else { return nil }
            result.append(text)
        }
        return result
    }
}
