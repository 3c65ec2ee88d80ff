import DryadJSON
import Foundation

/// A `pattern` or `patternProperties` regular expression, compiled once with the schema.
///
/// JSON Schema patterns are ECMA-262 regular expressions; NSRegularExpression speaks ICU's
/// dialect. The two agree on most syntax, and `translate` rewrites the common places where
/// they differ (`$`, `\d`, `\w`, `\s`, `[` inside a class, `[]`, `[^]`, `\u{…}`). Matching is an
/// unanchored search, as in ECMA-262's `RegExp.prototype.test`.
struct SchemaRegex: Sendable {
    /// The pattern as written in the schema, for messages.
    let source: String
    private let regex: NSRegularExpression

    /// The longest pattern a schema may hold, in Unicode scalars: a compiled pattern's size
    /// grows with its text, and no honest guard on a value needs more.
    static let maxLength = 4096

    /// Compiles `source`, or returns nil when it is not a valid regular expression or is
    /// longer than `maxLength`.
    init?(_ source: String) {
        guard source.unicodeScalars.count <= Self.maxLength,
            let regex = try? NSRegularExpression(pattern: Self.translate(source))
        else { return nil }
        self.source = source
        self.regex = regex
    }

    /// Whether the pattern matches somewhere in `string`, spending `budget` while the engine
    /// works: ICU reports progress every so many of its steps, and each report costs
    /// `SchemaBudget.stepsPerRegexTick`. A pattern that backtracks catastrophically (`^(\w+\s?)*$`
    /// against a long word and a `!`) is stopped there instead of running for seconds.
    /// Out of budget, the answer is false and the caller refuses the whole validation.
    func matches(_ string: String, budget: inout Int) -> Bool {
        var matched = false
        var left = budget - SchemaBudget.stepsPerSchema
        regex.enumerateMatches(in: string, options: [.reportProgress], range: NSRange(string.startIndex..., in: string)) { result, _, stop in
            if result != nil {
                matched = true
                stop.pointee = true
                return
            }
            left -= SchemaBudget.stepsPerRegexTick
            if left < 0 { stop.pointee = true }
        }
        budget = left
        return matched && left >= 0
    }

    /// Rewrites an ECMA-262 pattern into ICU syntax with the same meaning.
    static func translate(_ pattern: String) -> String {
        let scalars = Array(pattern.unicodeScalars)
        var out = String.UnicodeScalarView()
        var inClass = false
        var i = 0
        func emit(_ text: String) { out.append(contentsOf: text.unicodeScalars) }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\", i + 1 < scalars.count {
                let next = scalars[i + 1]
                i += 2
                // ECMA-262 classes are ASCII-only; ICU's are Unicode-wide by default.
                switch (next, inClass) {
                case ("d", false): emit("[0-9]")
                case ("d", true): emit("0-9")
                case ("D", _): emit("[^0-9]")
                case ("w", false): emit("[a-zA-Z0-9_]")
                case ("w", true): emit("a-zA-Z0-9_")
                case ("W", _): emit("[^a-zA-Z0-9_]")
                // ICU's \s lacks U+000B and U+FEFF, which ECMA-262 counts as white space.
                case ("s", false): emit("[\\s\\x{0B}\\x{FEFF}]")
                case ("s", true): emit("\\s\\x{0B}\\x{FEFF}")
                case ("S", _): emit("[^\\s\\x{0B}\\x{FEFF}]")
                case ("u", _) where i < scalars.count && scalars[i] == "{":
                    emit("\\x")  // \u{1F600} is \x{1F600} in ICU
                default:
                    out.append(c)
                    out.append(next)
                }
                continue
            }
            if inClass {
                switch c {
                case "]": inClass = false; out.append(c)
                // A literal in ECMA-262 but a nested set or set operator in ICU.
                case "[", "&": out.append("\\"); out.append(c)
                default: out.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case "[":
                let negated = i + 1 < scalars.count && scalars[i + 1] == "^"
                let close = i + (negated ? 2 : 1)
                if close < scalars.count, scalars[close] == "]" {
                    // `[]` matches nothing and `[^]` any character in ECMA-262; ICU would read
                    // the `]` as a literal member instead.
                    emit(negated ? "(?s:.)" : "(?!)")
                    i = close + 1
                    continue
                }
                inClass = true
                emit(negated ? "[^" : "[")
                i = close
                continue
            case "$":
                // ECMA-262's `$` (without the m flag) is the end of input only, ICU's also
                // matches before a final line terminator.
                emit("\\z")
            default:
                out.append(c)
            }
            i += 1
        }
        return String(out)
    }
}
