import DryadJSON

/// JSON Schema's notion of equal instances, for `const`, `enum` and `uniqueItems`.
///
/// Unlike `JSONValue.==` it compares numbers exactly (an Int64 and the nearest double are
/// not equal unless they are the same number), compares strings by code points as the
/// specification says, and walks nested values with a heap-allocated stack so that deeply
/// nested instances cannot overflow the thread's stack.
enum SchemaEquality {
    /// Whether two JSON values are equal: same kind, numbers equal by value (`1 == 1.0`),
    /// arrays equal item by item, objects with the same keys and equal values.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let result = shallowEqual(a, b) { return result }
        var pending: [(JSONValue, JSONValue)] = [(a, b)]
        while let (x, y) = pending.popLast() {
            if let result = shallowEqual(x, y) {
                if !result { return false }
                continue
            }
            switch (x, y) {
            case (.array(let p), .array(let q)):
                guard p.count == q.count else { return false }
                pending.append(contentsOf: zip(p, q))
            case (.object(let p), .object(let q)):
                guard p.count == q.count else { return false }
                for (key, value) in p {
                    guard let other = q[key] else { return false }
                    pending.append((value, other))
                }
            default:
                return false
            }
        }
        return true
    }

    /// Compares values that are not both arrays or both objects; nil for those, whose
    /// items `equal` compares in turn.
    private static func shallowEqual(_ a: JSONValue, _ b: JSONValue) -> Bool? {
        switch (a, b) {
        case (.array, .array), (.object, .object):
            return nil
        case (.null, .null):
            return true
        case (.bool(let p), .bool(let q)):
            return p == q
        case (.string(let p), .string(let q)):
            return p.unicodeScalars.elementsEqual(q.unicodeScalars)
        default:
            guard let p = SchemaNumber(a), let q = SchemaNumber(b) else { return false }
            return p.compare(to: q) == 0
        }
    }

    /// A hash consistent with `equal` (equal values hash alike) that looks at the outer 16
    /// levels of a value only, so that hashing stays shallow however deep the value is.
    static func shallowHash(_ value: JSONValue) -> Int {
        var hasher = Hasher()
        combine(value, into: &hasher, levels: 16)
        return hasher.finalize()
    }

    private static func combine(_ value: JSONValue, into hasher: inout Hasher, levels: Int) {
        switch value {
        case .null:
            hasher.combine(0)
        case .bool(let b):
            hasher.combine(1)
            hasher.combine(b)
        case .integer(let i):
            // Numbers hash by their double value so that 1 and 1.0 collide, as they must.
            hasher.combine(2)
            hasher.combine(Double(i))
        case .number(let d):
            hasher.combine(2)
            hasher.combine(d)
        case .string(let s):
            hasher.combine(3)
            hasher.combine(s)
        case .array(let items):
            hasher.combine(4)
            hasher.combine(items.count)
            guard levels > 0 else { return }
            for item in items { combine(item, into: &hasher, levels: levels - 1) }
        case .object(let members):
            hasher.combine(5)
            hasher.combine(members.count)
            guard levels > 0 else { return }
            // Member order is arbitrary, so hash each member alone and add the hashes up.
            var sum = 0
            for (key, member) in members {
                var memberHasher = Hasher()
                memberHasher.combine(key)
                combine(member, into: &memberHasher, levels: levels - 1)
                sum = sum &+ memberHasher.finalize()
            }
            hasher.combine(sum)
        }
    }
}
