import DryadCore
import Foundation
import Yams

/// Turns a YAML tree into JSON, refusing what JSON cannot say (non-string keys, aliases).
enum YAMLConversion {
    /// The most values one file may hold, a second guard against expansion bombs.
    static let maxNodes = 1_000_000

    static func json(from node: Node, depth: Int, budget: inout Int) throws(DryadError) -> JSONValue {
        guard depth <= JSONValue.defaultMaxDepth else {
            throw .invalidInput("nested deeper than \(JSONValue.defaultMaxDepth) levels")
        }
        budget -= 1
        guard budget >= 0 else { throw .invalidInput("more than \(maxNodes) values") }
        // Yams expands aliases while composing; refusing anchors rules out "billion laughs" bombs.
        guard node.anchor == nil else { throw .invalidInput("YAML anchors and aliases are not supported") }
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { .integer(Int64($0)) } ?? .string(scalar.string)
            case .float:
                guard let d = node.float, d.isFinite else { throw .invalidInput("\(scalar.string) is not a finite number") }
                return .number(d)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else { throw .invalidInput("mapping keys must be strings") }
                guard object.updateValue(try json(from: value, depth: depth + 1, budget: &budget), forKey: keyScalar.string) == nil else {
                    throw .invalidInput("the key \(JSONValue.string(keyScalar.string).canonicalText) appears twice in one mapping")
                }
            }
            return .object(object)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try json(from: item, depth: depth + 1, budget: &budget)) }
            return .array(items)
        case .alias:
            throw .invalidInput("YAML anchors and aliases are not supported")
        }
    }

    static func describe(_ error: YamlError) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "syntax error"
    }
}
