/// A change made against a number that is no longer current (`--if-revision`, `--if-version`,
/// `If-Match`) is stale: one rule and one wording for tools and contexts.
enum Precondition {
    /// Throws `stale` when `expected` is given and differs from `current`.
    /// - Parameters:
    ///   - subject: what is being changed, as messages name it (`tool web@1.0.0`).
    ///   - counter: what the number counts (`revision` of a tool, `version` of a context).
    static func check(_ expected: ExpectedNumbers?, current: Int, of subject: String, counting counter: String) throws(DryadError) {
        if let expected, !expected.admits(current) { throw stale(expected: expected, current: current, of: subject, counting: counter) }
    }

    /// The refusal of a stale change.
    static func stale(expected: ExpectedNumbers, current: Int, of subject: String, counting counter: String) -> DryadError {
        // Only weak or foreign entity tags in `If-Match`: nothing this server made was named.
        if expected.numbers.isEmpty { return .stale("\(subject) is at \(counter) \(current), and the precondition names no \(counter)") }
        return .stale("\(subject) is at \(counter) \(current), not \(expected)")
    }
}
