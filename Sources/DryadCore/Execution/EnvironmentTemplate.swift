import Foundation

/// `${NAME}` in an HTTP header value or a command's `env` value: taken from dryad's own
/// environment when the tool runs, so the secret is never stored or shown to readers.
///
/// Only `${` + a variable name + `}` is replaced (anything else, such as `${1}` or `${A:-b}`, stays
/// as written), and never a `DRYAD_` variable: those are dryad's own, the caller's token among them.
enum EnvironmentTemplate {
    /// What a value taken from the environment may hold where it goes.
    enum Rule {
        /// A command's env value: anything but NUL (a C string ends there), so a PEM's line breaks pass.
        case envValue
        /// An HTTP header value (RFC 9110): no control character but tab.
        case headerValue

        func allows(_ scalar: Unicode.Scalar) -> Bool {
            switch self {
            case .envValue: scalar != "\0"
            case .headerValue: scalar == "\t" || (scalar.value >= 0x20 && scalar.value != 0x7F)
            }
        }

        var refusal: String {
            switch self {
            case .envValue: "a NUL character"
            case .headerValue: "a control character, which header values may not"
            }
        }
    }

    /// The first `DRYAD_` variable `template` names, so a tool that could never run is refused
    /// when it is registered, not at each run.
    static func dryadVariable(in template: String) -> String? {
        var rest = Substring(template)
        while let start = rest.range(of: "${") {
            rest = rest[start.upperBound...]
            if let end = rest.firstIndex(of: "}"), case let name = String(rest[..<end]), ToolEndpoint.isEnvironmentName(name), name.hasPrefix("DRYAD_") {
                return name
            }
        }
        return nil
    }

    /// `template` with each `${NAME}` replaced by dryad's environment variable NAME; `field`
    /// names where it came from in errors ("header X-Key", "env API_KEY"). A value that breaks
    /// `rule` is refused without being quoted.
    static func expand(
        _ template: String, field: String, environment: [String: String], rule: Rule = .envValue
    ) throws(DryadError) -> String {
        var output = ""
        var rest = Substring(template)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}"),
                case let name = String(rest[start.upperBound..<end]), ToolEndpoint.isEnvironmentName(name)
            else {
                output += "${"
                rest = rest[start.upperBound...]
                continue
            }
            guard !name.hasPrefix("DRYAD_") else {
                throw .toolFailed("\(field) may not name \(name): DRYAD_ variables are dryad's own")
            }
            guard let value = environment[name] else {
                throw .toolFailed("\(field) needs environment variable \(name), which is not set")
            }
            guard value.unicodeScalars.allSatisfy(rule.allows) else {
                throw .toolFailed("environment variable \(name) for \(field) contains \(rule.refusal)")
            }
            output += value
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }
}
