/// The characters and length a name-like field may take (tool names, tags, agent ids,
/// principal names, memory keys), defined once: the Swift check, the SQL `CHECK` of the
/// migrations, the OpenAPI pattern and the help text are all produced from it, and a test
/// holds the migrations' checks to it.
///
/// Names are ASCII: letters, digits and a few punctuation marks, never spaces or control
/// characters, so they are safe in URLs, file names, shells and LLM function names.
public struct NameRule: Sendable {
    /// The longest accepted name, in bytes (the shortest is one).
    public let maxLength: Int
    /// The punctuation accepted besides ASCII letters and digits, in the order help lists it.
    public let punctuation: String
    /// Bytes 0-127 that may appear.
    private let accepted: [Bool]

    init(maxLength: Int, punctuation: String) {
        self.maxLength = maxLength
        self.punctuation = punctuation
        var accepted = [Bool](repeating: false, count: 128)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { accepted[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { accepted[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { accepted[Int(byte)] = true }
        for byte in punctuation.utf8 { accepted[Int(byte)] = true }
        self.accepted = accepted
    }

    /// A tool name, valid as an LLM function name.
    public static let toolName = NameRule(maxLength: 64, punctuation: "_-")
    /// An upstream MCP server's name, short enough to prefix its tools' names.
    public static let serverName = NameRule(maxLength: 32, punctuation: "_-")
    /// A tag on a tool or a context, and a context's type.
    public static let tag = NameRule(maxLength: 64, punctuation: "_-.:/")
    /// The agent that owns a memory context.
    public static let agentID = NameRule(maxLength: 128, punctuation: "_-.:@")
    /// A principal's name (some are reserved besides: see `PrincipalStore.reservedNames`).
    public static let principalName = NameRule(maxLength: 128, punctuation: "_-.@:")
    /// A memory context's stable key: shaped like a path (`support/root`).
    public static let memoryKey = NameRule(maxLength: 128, punctuation: "_-.:/@")

    /// Whether `text` follows the rule.
    public func accepts(_ text: String) -> Bool {
        let bytes = text.utf8
        return (1...maxLength).contains(bytes.count) && bytes.allSatisfy { $0 < 128 && accepted[Int($0)] }
    }

    /// The accepted characters as a bracket class body (`A-Za-z0-9_.-`), with `-` last so that
    /// regular expressions and SQLite's GLOB both read it as itself.
    var characterClass: String {
        let dash = punctuation.contains("-") ? "-" : ""
        return "A-Za-z0-9" + punctuation.filter { $0 != "-" } + dash
    }

    /// The rule as a regular expression over the whole value (ASCII classes: other engines read
    /// `\w` as Unicode).
    public var pattern: String { "^[\(characterClass)]{1,\(maxLength)}$" }

    /// The rule as an SQL expression over `column`, as the migrations' `CHECK`s write it.
    public func sqlCheck(_ column: String) -> String {
        "length(\(column)) BETWEEN 1 AND \(maxLength) AND \(column) NOT GLOB '*[^\(characterClass)]*'"
    }

    /// The rule for people: `1-64 characters of A-Z a-z 0-9 _ -`.
    public var summary: String {
        "1-\(maxLength) characters of A-Z a-z 0-9 " + punctuation.map(String.init).joined(separator: " ")
    }
}
