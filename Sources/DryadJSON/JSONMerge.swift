/// JSON merge operations for memory: RFC 7396 merge patches with provenance, and three-way merges.
public enum JSONMerge {
    /// Applies an RFC 7396 merge patch: objects merge key by key, `null` removes a key,
    /// anything else replaces.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchFields) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchFields {
            if value == .null {
                result.removeValue(forKey: key)
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// Applies `patch` like `apply`, in place; with `sources`, records which context set each
    /// pointer (nil skips that bookkeeping, which costs more than the merge itself).
    package static func apply(
        _ patch: [String: JSONValue], to target: inout [String: JSONValue], source: String,
        at pointer: String, sources: inout [String: String]?
    ) {
        for (key, value) in patch {
            let path = sources == nil ? "" : pointer + "/" + JSONPointer.escape(key)
            switch value {
            case .null:
                target.removeValue(forKey: key)
                forget(path, in: &sources)
            case .object(let fields):
                var inner: [String: JSONValue]
                if case .object(let existing)? = target.removeValue(forKey: key) {
                    inner = existing
                } else {
                    // A scalar or array is replaced by an object: what it held is gone.
                    forget(path, in: &sources)
                    inner = [:]
                }
                apply(fields, to: &inner, source: source, at: path, sources: &sources)
                // An empty object is a leaf of its own; it belongs to whoever last made it empty.
                if inner.isEmpty && (fields.isEmpty || sources?[path] == nil) { sources?[path] = source }
                if !inner.isEmpty { sources?.removeValue(forKey: path) }
                target[key] = .object(inner)
            default:
                target[key] = value
                forget(path, in: &sources)
                sources?[path] = source
            }
        }
    }

    /// Drops the sources recorded at `path` and below it.
    private static func forget(_ path: String, in sources: inout [String: String]?) {
        guard sources != nil else { return }
        sources?.removeValue(forKey: path)
        let prefix = path + "/"
        for key in sources?.keys.filter({ $0.hasPrefix(prefix) }) ?? [] { sources?.removeValue(forKey: key) }
    }

    /// The pointers of every leaf (a scalar, an array or an empty object), sorted.
    package static func leaves(of value: JSONValue, at pointer: String = "") -> [String] {
        guard case .object(let fields) = value, !fields.isEmpty else { return pointer.isEmpty ? [] : [pointer] }
        return fields.keys.sorted().flatMap { leaves(of: fields[$0] ?? .null, at: pointer + "/" + JSONPointer.escape($0)) }
    }

    /// How many leaves (as `leaves` counts them) were added, removed or changed going from
    /// `old` to `new`: the size of a version's change, as a trace shows it.
    package static func changedLeaves(from old: JSONValue?, to new: JSONValue?) -> Int {
        if old == new { return 0 }
        guard case .object(let a)? = old, case .object(let b)? = new, !a.isEmpty, !b.isEmpty else {
            return max(old.map { max(leaves(of: $0).count, 1) } ?? 0, new.map { max(leaves(of: $0).count, 1) } ?? 0)
        }
        return Set(a.keys).union(b.keys).reduce(0) { $0 + changedLeaves(from: a[$1], to: b[$1]) }
    }

    /// One path changed differently on both sides of a three-way merge.
    public struct Conflict: Sendable, Equatable, Encodable {
        public var pointer: String
        /// The current value (nil when the current side removed it).
        public var theirs: JSONValue?
        /// The value the caller wanted (nil when the caller removed it).
        public var ours: JSONValue?
    }

    /// Merges `ours` and `theirs`, both derived from `base`: changes to different paths combine;
    /// objects merge key by key; anything else changed differently on both sides is a conflict.
    public static func threeWay(base: JSONValue?, theirs: JSONValue?, ours: JSONValue?, at pointer: String = "")
        -> (merged: JSONValue?, conflicts: [Conflict])
    {
        if theirs == ours { return (theirs, []) }
        if theirs == base { return (ours, []) }
        if ours == base { return (theirs, []) }
        guard case .object(let t)? = theirs, case .object(let o)? = ours else {
            return (theirs, [Conflict(pointer: pointer.isEmpty ? "/" : pointer, theirs: theirs, ours: ours)])
        }
        let b = base?.objectValue ?? [:]
        var merged: [String: JSONValue] = [:]
        var conflicts: [Conflict] = []
        for key in Set(t.keys).union(o.keys).union(b.keys).sorted() {
            let (value, found) = threeWay(base: b[key], theirs: t[key], ours: o[key], at: pointer + "/" + JSONPointer.escape(key))
            if let value { merged[key] = value }
            conflicts += found
        }
        return (.object(merged), conflicts)
    }
}
