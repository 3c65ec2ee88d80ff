import Foundation

/// The field rules for memory contexts.
public enum MemoryRules {
    static let maxDepth = 255
    static let maxChain = maxDepth + 1

    static func isValidAgent(_ text: String) -> Bool {
        // `.` and `..` are URL path segments a client rewrites (`…/shares/..` is the context).
        text != "." && text != ".." && NameRule.agentID.accepts(text)
    }

    static func isValidType(_ text: String) -> Bool {
        NameRule.tag.accepts(text)
    }

    /// Keys look like paths (`support/root`) so fixtures can name trees readably.
    static func checkKey(_ key: String, field: String) throws(DryadError) {
        guard NameRule.memoryKey.accepts(key) else {
            throw .invalidInput("\(field): \"\(ToolRules.printable(key))\" must be \(NameRule.memoryKey.summary)")
        }
    }

    static func checkAgent(_ agent: String, field: String) throws(DryadError) {
        guard isValidAgent(agent) else {
            throw .invalidInput("\(field): \"\(ToolRules.printable(agent))\" must be 1-128 characters of A-Z a-z 0-9 _ - . : @, and not . or ..")
        }
    }

    /// The longest time to live: a century keeps timestamps within four-digit years.
    public static let maxTTL: TimeInterval = 100 * 365 * 86_400

    static func checkData(_ data: JSONValue, limit: Int) throws(DryadError) {
        guard case .object = data else { throw .invalidInput("data: expected a JSON object, got \(data.typeName)") }
        guard data.nestingDepth(limit: JSONValue.defaultMaxDepth) <= JSONValue.defaultMaxDepth else {
            throw .invalidInput("data: nested deeper than \(JSONValue.defaultMaxDepth) levels")
        }
        let size = data.canonicalText.utf8.count
        guard size <= limit else { throw .invalidInput("data: \(size) bytes is over the \(limit)-byte limit") }
    }

    static func checkTTL(_ ttl: TimeInterval?) throws(DryadError) {
        if let ttl, !(ttl > 0 && ttl <= maxTTL) { throw .invalidInput("ttl: must be greater than 0 and at most 100 years (36500d)") }
    }

    /// When a context stored at `now` with `ttl` expires: the stored (millisecond) time plus the
    /// ttl rounded up to a millisecond, so that even a tiny ttl yields a context that is visible
    /// when it is written.
    static func expiry(_ now: Date, ttl: TimeInterval) -> String {
        let stored = (now.timeIntervalSince1970 * 1000).rounded()
        let milliseconds = stored + max(1, (ttl * 1000).rounded(.up))
        return Timestamp.format(Date(timeIntervalSince1970: milliseconds / 1000))
    }
}
