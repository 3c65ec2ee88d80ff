import Foundation

/// Turns a schema document into a `SchemaProgram`, refusing schemas that are not valid.
///
/// Compiling happens in two passes. The scan walks every subschema to learn the base URI of
/// each one and where every `$id`, `$anchor` and `$dynamicAnchor` points, because a `$ref`
/// may name a schema that appears later in the document. The compile pass then turns each
/// subschema into a `SchemaNode`, resolving references to node indices. Both passes use
/// explicit work lists rather than recursion, so a hostile schema cannot exhaust the stack.
struct SchemaCompiler {
    /// The deepest nesting of subschemas accepted.
    static let maxDepth = 200
    /// The base URI of a schema without an `$id`, against which its relative references resolve.
    static let defaultBaseURI = "dryad:///schema.json"

    /// Where a subschema sits: which loaded document, and the JSON pointer inside it.
    struct Location: Hashable {
        let document: Int
        let pointer: String
    }

    /// What the scan learned about a subschema: its base URI and the resource it belongs to.
    struct Scope {
        let base: String
        let resource: Int
    }

    /// Documents other than the schema itself that references may name, by URI; the
    /// 2020-12 meta-schemas are always available on top of these.
    private let remotes: [String: JSONValue]
    private var documents: [JSONValue] = []
    private var resourceRoots: [String: Location] = [:]
    private var anchors: [String: Location] = [:]
    private var scopes: [Location: Scope] = [:]
    private var dynamicAnchorLocations: [[String: Location]] = []
    private var nodeIndices: [Location: Int] = [:]
    private var nodes: [SchemaNode] = []
    private var pending: [(index: Int, location: Location)] = []
    private var regexes: [String: SchemaRegex] = [:]

    private init(remotes: [String: JSONValue]) {
        self.remotes = remotes
    }

    /// Compiles `schema`, resolving references against `remotes` and the embedded meta-schemas.
    static func compile(_ schema: JSONValue, remotes: [String: JSONValue] = [:]) throws(DryadError) -> SchemaProgram {
        var compiler = SchemaCompiler(remotes: remotes)
        let document = try compiler.addDocument(schema, uri: defaultBaseURI)
        let root = try compiler.nodeIndex(for: document)
        try compiler.drain()
        // `$dynamicRef` may land on any `$dynamicAnchor` in scope at validation time, so all
        // of them must be compiled, including those nothing refers to statically.
        var resources: [SchemaResource] = []
        var next = 0
        while next < compiler.dynamicAnchorLocations.count {
            var anchors: [String: Int] = [:]
            for (name, location) in compiler.dynamicAnchorLocations[next] {
                anchors[name] = try compiler.nodeIndex(for: location)
            }
            try compiler.drain()
            resources.append(SchemaResource(dynamicAnchors: anchors))
            next += 1
        }
        return SchemaProgram(nodes: compiler.nodes, resources: resources, root: root)
    }

    // MARK: - Documents and the scan

    /// Loads a document retrieved from `uri` and scans it; returns the location of its root.
    private mutating func addDocument(_ value: JSONValue, uri: String) throws(DryadError) -> Location {
        let root = Location(document: documents.count, pointer: "")
        documents.append(value)
        let resource = newResource(uri: uri, root: root)
        try scan(root, scope: Scope(base: uri, resource: resource))
        return root
    }

    /// Registers a schema resource (a document root or a schema with an `$id`); returns its index.
    private mutating func newResource(uri: String, root: Location) -> Int {
        resourceRoots[uri] = root
        dynamicAnchorLocations.append([:])
        return dynamicAnchorLocations.count - 1
    }

    /// Records the scope of `start` and every subschema below it, and registers their
    /// `$id`s and anchors.
    private mutating func scan(_ start: Location, scope: Scope) throws(DryadError) {
        guard let value = JSONPointer.resolve(start.pointer, in: documents[start.document]) else { return }
        let startDepth = JSONPointer.tokens(start.pointer)?.count ?? 0
        var work: [(location: Location, value: JSONValue, scope: Scope, depth: Int)] = [(start, value, scope, startDepth)]
        while let (location, value, inherited, depth) = work.popLast() {
            if scopes[location] != nil { continue }
            guard depth <= Self.maxDepth else {
                throw .invalidInput("\(Self.display(location.pointer)): schema is nested more than \(Self.maxDepth) levels deep")
            }
            guard case .object(let members) = value else {
                scopes[location] = inherited
                continue
            }
            var scope = inherited
            if case .string(let id)? = members["$id"] {
                let at = Self.display(JSONPointer.appending("$id", to: location.pointer))
                let (uriPart, fragment) = Self.splitFragment(id)
                guard fragment?.isEmpty ?? true else {
                    throw .invalidInput("\(at): must not contain a fragment (use $anchor to name a subschema)")
                }
                guard let base = Self.resolve(uriPart, against: scope.base) else {
                    throw .invalidInput("\(at): \(Self.quoted(id)) is not a valid URI reference")
                }
                if location.pointer.isEmpty {
                    // A document root is one resource known by both its retrieval URI and its $id.
                    resourceRoots[base] = location
                    scope = Scope(base: base, resource: scope.resource)
                } else {
                    if let existing = resourceRoots[base], existing != location {
                        throw .invalidInput("\(at): \(Self.quoted(id)) identifies another schema already")
                    }
                    scope = Scope(base: base, resource: newResource(uri: base, root: location))
                }
            }
            for keyword in ["$anchor", "$dynamicAnchor"] {
                guard case .string(let name)? = members[keyword] else { continue }
                let key = scope.base + "#" + name
                if let existing = anchors[key], existing != location {
                    let at = Self.display(JSONPointer.appending(keyword, to: location.pointer))
                    throw .invalidInput("\(at): anchor \(Self.quoted(name)) is declared twice in the same resource")
                }
                anchors[key] = location
                if keyword == "$dynamicAnchor" {
                    dynamicAnchorLocations[scope.resource][name] = location
                }
            }
            scopes[location] = scope
            for (pointer, child) in Self.subschemas(of: members, at: location.pointer) {
                work.append((Location(document: location.document, pointer: pointer), child, scope, depth + 1))
            }
        }
    }

    /// Keywords whose value is one subschema.
    private static let singleSchemaKeywords = [
        "additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema",
    ]
    /// Keywords whose value is an array of subschemas.
    private static let schemaArrayKeywords = ["allOf", "anyOf", "oneOf", "prefixItems"]
    /// Keywords whose value is an object of subschemas (`definitions` is the pre-2019 `$defs`;
    /// `dependencies` also has array values, which the scan passes over).
    private static let schemaMapKeywords = [
        "$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies",
    ]

    /// The subschemas directly below a schema object, with their pointers.
    private static func subschemas(of members: [String: JSONValue], at pointer: String) -> [(String, JSONValue)] {
        var result: [(String, JSONValue)] = []
        for keyword in singleSchemaKeywords {
            if let value = members[keyword] { result.append((JSONPointer.appending(keyword, to: pointer), value)) }
        }
        for keyword in schemaArrayKeywords {
            guard case .array(let items)? = members[keyword] else { continue }
            let base = JSONPointer.appending(keyword, to: pointer)
            for (index, item) in items.enumerated() { result.append(("\(base)/\(index)", item)) }
        }
        for keyword in schemaMapKeywords {
            guard case .object(let entries)? = members[keyword] else { continue }
            let base = JSONPointer.appending(keyword, to: pointer)
            for (name, value) in entries { result.append((JSONPointer.appending(name, to: base), value)) }
        }
        return result
    }

    /// The scope of a location, scanning it first if the scan never reached it (a `$ref`
    /// may point anywhere in a document, even inside a keyword that is not a subschema).
    private mutating func scope(for location: Location) throws(DryadError) -> Scope {
        if let scope = scopes[location] { return scope }
        var ancestor = location.pointer
        var inherited: Scope?
        while inherited == nil, let parent = JSONPointer.parent(of: ancestor) {
            inherited = scopes[Location(document: location.document, pointer: parent)]
            ancestor = parent
        }
        let fallback = Scope(base: Self.defaultBaseURI, resource: 0)
        try scan(location, scope: inherited ?? fallback)
        return scopes[location] ?? inherited ?? fallback
    }

    // MARK: - Nodes

    /// The node index for a location, queueing the location for compilation on first sight.
    private mutating func nodeIndex(for location: Location) throws(DryadError) -> Int {
        if let index = nodeIndices[location] { return index }
        let index = nodes.count
        nodeIndices[location] = index
        nodes.append(SchemaNode(body: .always(true), resource: 0, location: location.pointer, tracksEvaluation: false))
        pending.append((index, location))
        return index
    }

    /// Compiles queued locations until none is left.
    private mutating func drain() throws(DryadError) {
        while let (index, location) = pending.popLast() {
            nodes[index] = try compileNode(at: location)
        }
    }

    /// Compiles the schema at `location`; its subschemas are only queued, not compiled here.
    private mutating func compileNode(at location: Location) throws(DryadError) -> SchemaNode {
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
    private mutating func compileKeywords(_ r: KeywordReader) throws(DryadError) -> [SchemaKeyword] {
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
    private mutating func legacyDependencies(in r: KeywordReader) throws(DryadError) -> [SchemaKeyword] {
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
    private mutating func schema(_ keyword: String, in r: KeywordReader) throws(DryadError) -> Int? {
        guard r.members[keyword] != nil else { return nil }
        return try nodeIndex(for: Location(document: r.location.document, pointer: r.pointer(keyword)))
    }

    /// The nodes of a keyword whose value is a non-empty array of subschemas.
    private mutating func schemaArray(_ keyword: String, in r: KeywordReader) throws(DryadError) -> [Int]? {
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
    private mutating func schemaMap(_ keyword: String, in r: KeywordReader) throws(DryadError) -> [NamedSchema]? {
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
    private func types(_ value: JSONValue, in r: KeywordReader) throws(DryadError) -> SchemaTypes {
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
    private mutating func regex(_ source: String, at pointer: String) throws(DryadError) -> SchemaRegex {
        if let cached = regexes[source] { return cached }
        guard let regex = SchemaRegex(source) else {
            throw .invalidInput("\(Self.display(pointer)): \(Self.quoted(source)) is not a valid regular expression")
        }
        regexes[source] = regex
        return regex
    }

    private static func strings(_ items: [JSONValue]) -> [String]? {
        var result: [String] = []
        for item in items {
            guard case .string(let text) = item else { return nil }
            result.append(text)
        }
        return result
    }

    // MARK: - References

    /// The location a `$ref` or `$dynamicRef` names, or an error naming the keyword.
    private mutating func resolveReference(_ reference: String, in r: KeywordReader, keyword: String) throws(DryadError) -> Location {
        let (uriPart, fragment) = Self.splitFragment(reference)
        let unresolvable = r.error(keyword, "cannot resolve \(Self.quoted(reference))")
        guard let uri = uriPart.isEmpty ? r.scope.base : Self.resolve(uriPart, against: r.scope.base) else {
            throw r.error(keyword, "\(Self.quoted(reference)) is not a valid URI reference")
        }
        guard let root = try resourceRoot(uri) else {
            if uri.hasPrefix("http://") || uri.hasPrefix("https://") || uri.hasPrefix("file:") {
                throw r.error(keyword, "cannot resolve \(Self.quoted(reference)): remote references are not supported")
            }
            throw unresolvable
        }
        guard let fragment, !fragment.isEmpty else { return root }
        guard let decoded = fragment.removingPercentEncoding else { throw unresolvable }
        if decoded.hasPrefix("/") {
            guard JSONPointer.tokens(decoded) != nil else {
                throw r.error(keyword, "\(Self.quoted(reference)) contains an invalid JSON pointer")
            }
            let target = Location(document: root.document, pointer: root.pointer + decoded)
            guard JSONPointer.resolve(target.pointer, in: documents[target.document]) != nil else { throw unresolvable }
            return target
        }
        guard let target = anchors[uri + "#" + decoded] else { throw unresolvable }
        return target
    }

    /// The root of the resource with this absolute URI, loading a known remote document on demand.
    private mutating func resourceRoot(_ uri: String) throws(DryadError) -> Location? {
        if let root = resourceRoots[uri] { return root }
        guard let document = remotes[uri] ?? SchemaMetaschemas.document(for: uri) else { return nil }
        _ = try addDocument(document, uri: uri)
        return resourceRoots[uri]
    }

    // MARK: - Text helpers

    /// Splits a URI reference at its first `#`: the part before, and the fragment if there is one.
    static func splitFragment(_ reference: String) -> (uri: String, fragment: String?) {
        guard let hash = reference.firstIndex(of: "#") else { return (reference, nil) }
        return (String(reference[..<hash]), String(reference[reference.index(after: hash)...]))
    }

    /// Resolves a URI reference (without fragment) against an absolute base URI (RFC 3986).
    static func resolve(_ reference: String, against base: String) -> String? {
        if reference.isEmpty { return base }
        guard let baseURL = URL(string: base), let url = URL(string: reference, relativeTo: baseURL) else { return nil }
        return splitFragment(url.absoluteString).uri
    }

    /// Whether `name` may be used as an `$anchor` or `$dynamicAnchor` (`^[A-Za-z_][-A-Za-z0-9._]*$`).
    static func isAnchorName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
            first.properties.isAlphabetic || first == "_"
        else { return false }
        return name.unicodeScalars.allSatisfy { c in
            c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" || c == "_" || c == ".")
        }
    }

    /// A pointer as messages show it: `/` for the root, and control characters (which
    /// property names may contain) escaped as in JSON so that messages stay on one line.
    static func display(_ pointer: String) -> String {
        guard !pointer.isEmpty else { return "/" }
        guard pointer.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return pointer }
        var shown = ""
        for scalar in pointer.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                shown += String(JSONValue.string(String(scalar)).canonicalText.dropFirst().dropLast())
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// A string in JSON quotes, shortened if long, for messages.
    static func quoted(_ text: String) -> String {
        let short = text.unicodeScalars.count > 60 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(57))) + "..." : text
        return JSONValue.string(short).canonicalText
    }
}
