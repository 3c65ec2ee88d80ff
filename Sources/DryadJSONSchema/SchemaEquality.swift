import DryadJSON

/// JSON Schema's notion of equal instances, for `const`, `enum` and `uniqueItems`.
///
/// Unlike `JSONValue.==` it compares numbers exactly (an Int64 and the nearest double are
/// not equal unless they are the same number), compares strings by code points as the
/// specification says, and walks nested values with a heap-allocated stack so that deeply
/// nested instances cannot overflow the thread's stack.
enum SchemaEquality {
    /// Whether two JSON values are equal: same kind, numbers equal by value (`1 == 1.0`),
    /// arrays equal item by item, objects with the same keys and equal values. Each pair of
    /// values compared costs a step of `budget`; out of budget, the answer is false.
    static func equal(_ a: JSONValue, _ b: JSONValue, budget: inout Int) -> Bool {
        if let result = shallowEqual(a, b) { return result }
        var pending: [(JSONValue, JSONValue)] = [(a, b)]
        while let (x, y) = pending.popLast() {
            budget -= SchemaBudget.stepsPerValue
            if budget < 0 { return false }
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

    /// One piece of a value to hash: a value, or an object member's name before its value.
    private enum HashStep {
        case value(JSONValue)
        case key(String)
    }

    /// A hash consistent with `equal` (equal values hash alike) over the whole value, so that
    /// items alike down to any depth hash apart unless they are equal. A hash of the outer
    /// levels only let 6,000 items that differed 17 levels down all collide, and comparing
    /// each with all the others took 19.8 s. Walks with a heap-allocated stack (deep values
    /// cannot overflow the thread's) and spends a step of `budget` per value.
    static func hash(_ value: JSONValue, budget: inout Int) -> Int {
        var hasher = Hasher()
        var pending: [HashStep] = [.value(value)]
        while let step = pending.popLast() {
            switch step {
            case .key(let key):
                hasher.combine(6)
                hasher.combine(key)
            case .value(let value):
                budget -= SchemaBudget.stepsPerValue
                if budget < 0 { return 0 }
                combine(value, into: &hasher, pending: &pending)
            }
        }
        return hasher.finalize()
    }

    /// Hashes a value's own kind and scalar, and queues its items or members (objects in key
    /// order, since member order is arbitrary).
    private static func combine(_ value: JSONValue, into hasher: inout Hasher, pending: inout [HashStep]) {
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
            // By code points, as `equal` compares them (String's own hash is by grapheme).
            hasher.combine(3)
            hasher.combine(s.unicodeScalars.count)
            for scalar in s.unicodeScalars { hasher.combine(scalar.value) }
        case .array(let items):
            hasher.combine(4)
            hasher.combine(items.count)
            pending.append(contentsOf: items.reversed().map(HashStep.value))
        case .object(let members):
            hasher.combine(5)
            hasher.combine(members.count)
            for key in members.keys.sorted(by: >) {
                pending.append(.value(members[key] ?? .null))
                pending.append(.key(key))
            }
        }
    }
}
