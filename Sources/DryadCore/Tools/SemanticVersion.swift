/// A Semantic Versioning 2.0 version with its precedence rules.
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: String
    public let minor: String
    public let patch: String
    public let prerelease: [String]
    public let build: [String]

    /// The longest version string accepted.
    public static let maxLength = 64

    /// Parses `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]` strictly (no leading zeros, no `v`).
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= Self.maxLength else { return nil }
        var rest = Substring(text)
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            let parts = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false)
            guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(Self.isIdentifierCharacter) }) else { return nil }
            build = parts.map(String.init)
            rest = rest[..<plus]
        }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            let parts = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false)
            for part in parts {
                guard !part.isEmpty, part.allSatisfy(Self.isIdentifierCharacter) else { return nil }
                if part.allSatisfy(\.isASCIIDigit), part.count > 1, part.first == "0" { return nil }
            }
            prerelease = parts.map(String.init)
            rest = rest[..<dash]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3,
            core.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) && ($0.count == 1 || $0.first != "0") })
        else { return nil }
        self.major = String(core[0])
        self.minor = String(core[1])
        self.patch = String(core[2])
        self.prerelease = prerelease
        self.build = build
    }

    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { text += "-" + prerelease.joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }

    /// A string whose byte order equals semver precedence, so SQLite can sort and compare versions.
    ///
    /// Numbers are length-prefixed so they compare numerically; numeric pre-release
    /// identifiers sort before alphanumeric ones; a release sorts after its pre-releases
    /// (`~` > `-`); a shorter pre-release list sorts first because the terminator (space)
    /// and separator (`!`) sort below every identifier character. Build metadata is ignored.
    public var precedenceKey: String {
        var key = [major, minor, patch].map(Self.lengthPrefixed).joined(separator: ".")
        if prerelease.isEmpty {
            key += "~"
        } else {
            key += "-"
            key += prerelease.map { id in
                id.allSatisfy(\.isASCIIDigit) ? "0" + Self.lengthPrefixed(id) : "1" + id
            }.joined(separator: "!")
            key += " "
        }
        return key
    }

    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        lhs.precedenceKey < rhs.precedenceKey
    }

    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        lhs.precedenceKey == rhs.precedenceKey
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(precedenceKey)
    }

    private static func lengthPrefixed(_ digits: String) -> String {
        let count = String(digits.count)
        return (count.count == 1 ? "0" + count : count) + digits
    }

    private static func isIdentifierCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-")
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
