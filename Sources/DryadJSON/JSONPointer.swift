import Foundation

/// RFC 6901 JSON pointers: the `/a/0/b~1c` strings that name a place inside a JSON document.
package enum JSONPointer {
    /// Escapes one reference token: `~` becomes `~0` and `/` becomes `~1`.
    package static func escape(_ token: String) -> String {
        guard token.contains(where: { $0 == "~" || $0 == "/" }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// The pointer made of `parent` followed by one more token.
    package static func appending(_ token: String, to parent: String) -> String {
        parent + "/" + escape(token)
    }

    /// The unescaped tokens of a pointer, or nil when it is not a valid pointer
    /// (it must be empty or start with `/`, and `~` may only be followed by `0` or `1`).
    package static func tokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        var result: [String] = []
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var iterator = raw.makeIterator()
            while let character = iterator.next() {
                guard character == "~" else {
                    token.append(character)
                    continue
                }
                switch iterator.next() {
                case "0": token.append("~")
                case "1": token.append("/")
                default: return nil
                }
            }
            result.append(token)
        }
        return result
    }

    /// The value `pointer` names inside `document`, or nil when there is none.
    package static func resolve(_ pointer: String, in document: JSONValue) -> JSONValue? {
        guard let tokens = tokens(pointer) else { return nil }
        var current = document
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = arrayIndex(token), index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// `document` with `value` placed at `pointer`, creating missing (or null) objects on the
    /// way (as `jq`'s `setpath` does); nil when the pointer is invalid or passes through another
    /// scalar, or names an array item past the end (`-`, or the array's length, appends).
    package static func setting(_ value: JSONValue, at pointer: String, in document: JSONValue) -> JSONValue? {
        guard let tokens = tokens(pointer) else { return nil }
        return setting(value, at: tokens[...], in: document)
    }

    private static func setting(_ value: JSONValue, at tokens: ArraySlice<String>, in document: JSONValue?) -> JSONValue? {
        guard let token = tokens.first else { return value }
        switch document {
        case nil, .null?, .object?:
            var members = document?.objectValue ?? [:]
            guard let next = setting(value, at: tokens.dropFirst(), in: members[token]) else { return nil }
            members[token] = next
            return .object(members)
        case .array(var items)?:
            let index = token == "-" ? items.count : arrayIndex(token)
            guard let index, index <= items.count, let next = setting(value, at: tokens.dropFirst(), in: index < items.count ? items[index] : nil) else {
                return nil
            }
            if index == items.count { items.append(next) } else { items[index] = next }
            return .array(items)
        default:
            return nil
        }
    }

    /// An array index token: decimal digits without a leading zero (except `0` itself).
    private static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            token == "0" || !token.hasPrefix("0")
        else { return nil }
        return Int(token)
    }

    /// The parent of a non-empty pointer (`/a/b` → `/a`, `/a` → ``), or nil for the root.
    package static func parent(of pointer: String) -> String? {
        guard !pointer.isEmpty, let slash = pointer.lastIndex(of: "/") else { return nil }
        return String(pointer[..<slash])
    }
}

extension Array where Element == JSONPathStep {
    /// The JSON pointer of this path (`""` for the root).
    package var jsonPointer: String {
        var pointer = ""
        for step in self {
            switch step {
            case .key(let key): pointer = JSONPointer.appending(key, to: pointer)
            case .index(let index): pointer += "/\(index)"
            }
        }
        return pointer
    }
}
