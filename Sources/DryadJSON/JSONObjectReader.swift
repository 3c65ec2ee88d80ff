/// Reads the fields of an untrusted JSON object, naming the field path in every error and
/// refusing keys it was not asked about (so typos in definitions fail loudly).
package struct JSONObjectReader {
    private let object: [String: JSONValue]
    private let prefix: String
    private var consumed: Set<String> = []

    package init(_ value: JSONValue, path: String) throws(DryadError) {
        guard case .object(let object) = value else {
            throw .invalidInput("\(path.isEmpty ? "definition" : path): expected an object, got \(value.typeName)")
        }
        self.object = object
        self.prefix = path.isEmpty ? "" : path + "."
    }

    /// The dotted path of a field, for error messages.
    package func path(_ key: String) -> String { prefix + key }

    /// The raw value of a field; nil when absent, `.null` when explicitly null.
    package mutating func value(_ key: String) -> JSONValue? {
        consumed.insert(key)
        return object[key]
    }

    /// A field's value, nil when absent or null (null means absent in request bodies).
    package mutating func present(_ key: String) -> JSONValue? {
        if case .null? = value(key) { return nil }
        return object[key]
    }

    /// Whether the object has a field, null or not, without reading it.
    package func has(_ key: String) -> Bool { object[key] != nil }

    /// Marks fields as known without reading them (read-only fields of a record).
    package mutating func ignore(_ keys: String...) {
        consumed.formUnion(keys)
    }

    package mutating func string(_ key: String) throws(DryadError) -> String? {
        switch value(key) {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw mismatch(key, "a string", other)
        }
    }

    package mutating func requiredString(_ key: String) throws(DryadError) -> String {
        guard let s = try string(key) else { throw .invalidInput("\(path(key)): required") }
        return s
    }

    package mutating func number(_ key: String) throws(DryadError) -> Double? {
        switch value(key) {
        case nil, .null?: return nil
        case let v? where v.doubleValue != nil: return v.doubleValue
        case let other?: throw mismatch(key, "a number", other)
        }
    }

    /// A whole number that fits an `Int` (`2.0` counts as one).
    package mutating func integer(_ key: String) throws(DryadError) -> Int? {
        guard let number = try number(key) else { return nil }
        guard let whole = Int(exactly: number) else { throw .invalidInput("\(path(key)): expected a whole number, got \(number)") }
        return whole
    }

    package mutating func bool(_ key: String) throws(DryadError) -> Bool? {
        switch value(key) {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case let other?: throw mismatch(key, "true or false", other)
        }
    }

    package mutating func stringArray(_ key: String) throws(DryadError) -> [String]? {
        switch value(key) {
        case nil, .null?: return nil
        case .array(let items)?:
            var strings: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw mismatch(key, "an array of strings", .array(items)) }
                strings.append(s)
            }
            return strings
        case let other?: throw mismatch(key, "an array of strings", other)
        }
    }

    package mutating func stringMap(_ key: String) throws(DryadError) -> [String: String]? {
        switch value(key) {
        case nil, .null?: return nil
        case .object(let fields)?:
            var map: [String: String] = [:]
            for (name, item) in fields {
                guard case .string(let s) = item else {
                    throw .invalidInput("\(path(key)).\(name): expected a string, got \(item.typeName)")
                }
                map[name] = s
            }
            return map
        case let other?: throw mismatch(key, "an object of strings", other)
        }
    }

    package mutating func object(_ key: String) throws(DryadError) -> [String: JSONValue]? {
        switch value(key) {
        case nil, .null?: return nil
        case .object(let o)?: return o
        case let other?: throw mismatch(key, "an object", other)
        }
    }

    /// Fails on any field nobody asked about.
    package func finish() throws(DryadError) {
        if let unknown = object.keys.filter({ !consumed.contains($0) }).sorted().first {
            throw .invalidInput("\(path(unknown)): unknown field")
        }
    }

    private func mismatch(_ key: String, _ expected: String, _ got: JSONValue) -> DryadError {
        .invalidInput("\(path(key)): expected \(expected), got \(got.typeName)")
    }
}
