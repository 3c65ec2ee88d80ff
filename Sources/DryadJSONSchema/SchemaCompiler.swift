import DryadJSON
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
    let remotes: [String: JSONValue]
    var documents: [JSONValue] = []
    var resourceRoots: [String: Location] = [:]
    var anchors: [String: Location] = [:]
    var scopes: [Location: Scope] = [:]
    var dynamicAnchorLocations: [[String: Location]] = []
    var nodeIndices: [Location: Int] = [:]
    var nodes: [SchemaNode] = []
    var pending: [(index: Int, location: Location)] = []
    var regexes: [String: SchemaRegex] = [:]

    init(remotes: [String: JSONValue]) {
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
    mutating func addDocument(_ value: JSONValue, uri: String) throws(DryadError) -> Location {
        let root = Location(document: documents.count, pointer: "")
        documents.append(value)
        let resource = newResource(uri: uri, root: root)
        try scan(root, scope: Scope(base: uri, resource: resource))
        return root
    }

    /// Registers a schema resource (a document root or a schema with an `$id`); returns its index.
    mutating func newResource(uri: String, root: Location) -> Int {
        resourceRoots[uri] = root
        dynamicAnchorLocations.append([:])
        return dynamicAnchorLocations.count - 1
    }

    /// Records the scope of `start` and every subschema below it, and registers their
    /// `$id`s and anchors.
    mutating func scan(_ start: Location, scope: Scope) throws(DryadError) {
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
    static let singleSchemaKeywords = [
        "additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema",
    ]
    /// Keywords whose value is an array of subschemas.
    static let schemaArrayKeywords = ["allOf", "anyOf", "oneOf", "prefixItems"]
    /// Keywords whose value is an object of subschemas (`definitions` is the pre-2019 `$defs`;
    /// `dependencies` also has array values, which the scan passes over).
    static let schemaMapKeywords = [
        "$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies",
    ]

    /// The subschemas directly below a schema object, with their pointers.
    static func subschemas(of members: [String: JSONValue], at pointer: String) -> [(String, JSONValue)] {
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
    mutating func scope(for location: Location) throws(DryadError) -> Scope {
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

    // MARK: - References

    /// The location a `$ref` or `$dynamicRef` names, or an error naming the keyword.
    mutating func resolveReference(_ reference: String, in r: KeywordReader, keyword: String) throws(DryadError) -> Location {
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
    mutating func resourceRoot(_ uri: String) throws(DryadError) -> Location? {
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
    package static func resolve(_ reference: String, against base: String) -> String? {
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
