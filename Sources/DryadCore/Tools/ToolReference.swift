/// How a caller names a tool: `NAME`, `NAME@VERSION` or the tool's id.
public enum ToolReference: Sendable, Equatable, CustomStringConvertible {
    /// A name or an id; names are tried first, then ids.
    case nameOrID(String)
    case version(name: String, version: SemanticVersion)

    /// Parses a reference; a malformed one is invalid input.
    public init(_ text: String) throws(DryadError) {
        if let at = text.firstIndex(of: "@") {
            let name = String(text[..<at])
            let versionText = String(text[text.index(after: at)...])
            guard ToolRules.isValidName(name) else {
                throw .invalidInput("\"\(ToolRules.printable(text))\" is not a tool reference (NAME, NAME@VERSION or id)")
            }
            guard let version = SemanticVersion(versionText) else {
                throw .invalidInput("\"\(ToolRules.printable(versionText))\" is not a semantic version (MAJOR.MINOR.PATCH)")
            }
            self = .version(name: name, version: version)
        } else {
            // Ids are UUIDs, which also match the name pattern.
            guard ToolRules.isValidName(text) else {
                throw .invalidInput("\"\(ToolRules.printable(text))\" is not a tool reference (NAME, NAME@VERSION or id)")
            }
            self = .nameOrID(text)
        }
    }

    public var description: String {
        switch self {
        case .nameOrID(let s): s
        case .version(let name, let version): "\(name)@\(version)"
        }
    }
}
