import Foundation

/// How a tool version runs: a local program, an HTTP endpoint or a tool on an upstream MCP
/// server. Stored as JSON.
///
/// The JSON field, the flags and the docs call this the tool's `executor`; the Swift type is
/// named for what it describes, since `Executor` is Swift's own protocol for running jobs.
public enum ToolEndpoint: Sendable, Equatable {
    case command(CommandEndpoint)
    case http(HTTPEndpoint)
    case mcp(UpstreamEndpoint)

    /// The timeout used when a definition gives none.
    public static let defaultTimeoutSeconds: Double = 30
    /// The longest timeout a definition may ask for (one day).
    public static let maxTimeoutSeconds: Double = 86_400

    public var timeoutSeconds: Double {
        switch self {
        case .command(let c): c.timeoutSeconds
        case .http(let h): h.timeoutSeconds
        case .mcp(let m): m.timeoutSeconds
        }
    }

    /// Whether two executors run the same thing, whatever their timeouts (nil: no executor).
    static func sameProgram(_ a: ToolEndpoint?, _ b: ToolEndpoint?) -> Bool {
        a?.withTimeout(defaultTimeoutSeconds) == b?.withTimeout(defaultTimeoutSeconds)
    }

    /// The same executor with another timeout.
    public func withTimeout(_ seconds: Double) -> ToolEndpoint {
        switch self {
        case .command(var c):
            c.timeoutSeconds = seconds
            return .command(c)
        case .http(var h):
            h.timeoutSeconds = seconds
            return .http(h)
        case .mcp(var m):
            m.timeoutSeconds = seconds
            return .mcp(m)
        }
    }
}

extension ToolEndpoint {
    static let httpMethods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    /// Reads and checks an executor definition; `path` names it in errors.
    ///
    /// `stored` reads what this database (or a bundle of one) already holds: rules added since
    /// it was written (no `DRYAD_` templates, no control characters in header values) are left
    /// to the run, which refuses them too, so an older tool still lists and loads.
    public init(json: JSONValue, path: String = "executor", stored: Bool = false) throws(DryadError) {
        var reader = try JSONObjectReader(json, path: path)
        let kind = try reader.requiredString("kind")
        let timeout = try reader.number("timeout_seconds") ?? ToolEndpoint.defaultTimeoutSeconds
        guard timeout > 0, timeout <= ToolEndpoint.maxTimeoutSeconds else {
            throw .invalidInput("\(reader.path("timeout_seconds")): must be greater than 0 and at most \(Int(ToolEndpoint.maxTimeoutSeconds))")
        }
        switch kind {
        case "command":
            guard let argv = try reader.stringArray("argv"), let program = argv.first, !program.isEmpty else {
                throw .invalidInput("\(reader.path("argv")): expected a non-empty array of strings whose first item names the program")
            }
            if argv.contains(where: { $0.unicodeScalars.contains("\0") }) {
                throw .invalidInput("\(reader.path("argv")): arguments may not contain NUL bytes")
            }
            let env = try reader.stringMap("env") ?? [:]
            for (name, value) in env {
                guard Self.isEnvironmentName(name), !value.unicodeScalars.contains("\0") else {
                    throw .invalidInput("\(reader.path("env")).\(name): not a valid environment variable")
                }
                if !stored, let own = EnvironmentTemplate.dryadVariable(in: value) {
                    throw .invalidInput("\(reader.path("env")).\(name): may not name \(own): DRYAD_ variables are dryad's own")
                }
            }
            let cwd = try reader.string("cwd")
            if let cwd, !cwd.hasPrefix("/") {
                throw .invalidInput("\(reader.path("cwd")): must be an absolute path")
            }
            // A stored executor without a sandbox predates it: it keeps what it had (see `legacy`).
            let sandbox = try reader.value("sandbox").map { value throws(DryadError) in
                try SandboxPolicy(json: value, path: reader.path("sandbox"))
            }
            try reader.finish()
            self = .command(
                CommandEndpoint(
                    argv: argv, timeoutSeconds: timeout, env: env, cwd: cwd,
                    sandbox: sandbox ?? (stored ? .legacy(cwd: cwd) : .standard)))
        case "http":
            let url = try reader.requiredString("url")
            guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
                scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty
            else {
                throw .invalidInput("\(reader.path("url")): expected an http:// or https:// URL with a host")
            }
            let method = try reader.string("method")?.uppercased() ?? "POST"
            guard Self.httpMethods.contains(method) else {
                throw .invalidInput("\(reader.path("method")): expected one of \(Self.httpMethods.sorted().joined(separator: ", "))")
            }
            let headers = try reader.stringMap("headers") ?? [:]
            for (name, value) in headers {
                // Refusing CR/LF is what stops header injection; the other control characters are
                // refused for new tools (an HTTP client rejects them at run time anyway).
                let valid = value.unicodeScalars.allSatisfy { scalar in
                    stored ? (scalar != "\r" && scalar != "\n" && scalar != "\0") : EnvironmentTemplate.Rule.headerValue.allows(scalar)
                }
                guard Self.isHeaderName(name), valid else {
                    throw .invalidInput("\(reader.path("headers")).\(name): not a valid HTTP header")
                }
                if !stored, let own = EnvironmentTemplate.dryadVariable(in: value) {
                    throw .invalidInput("\(reader.path("headers")).\(name): may not name \(own): DRYAD_ variables are dryad's own")
                }
            }
            let allowPrivate = try reader.bool("allow_private") ?? false
            try reader.finish()
            self = .http(HTTPEndpoint(url: url, method: method, headers: headers, timeoutSeconds: timeout, allowPrivate: allowPrivate))
        case "mcp":
            let server = try reader.requiredString("server")
            guard NameRule.serverName.accepts(server) else {
                throw .invalidInput("\(reader.path("server")): expected \(NameRule.serverName.summary)")
            }
            let tool = try reader.requiredString("tool")
            guard !tool.isEmpty, tool.utf8.count <= UpstreamNaming.maxUpstreamNameBytes else {
                throw .invalidInput("\(reader.path("tool")): expected an upstream tool name of 1 to \(UpstreamNaming.maxUpstreamNameBytes) bytes")
            }
            try reader.finish()
            self = .mcp(UpstreamEndpoint(server: server, tool: tool, timeoutSeconds: timeout))
        default:
            throw .invalidInput("\(reader.path("kind")): expected \"command\", \"http\" or \"mcp\"")
        }
    }

    /// The stored and printed JSON form.
    public var json: JSONValue {
        switch self {
        case .command(let c):
            var fields: [String: JSONValue] = [
                "kind": .string("command"),
                "argv": .array(c.argv.map(JSONValue.string)),
                "timeout_seconds": Self.number(c.timeoutSeconds),
                "env": .object(c.env.mapValues(JSONValue.string)),
                "sandbox": c.sandbox.json,
            ]
            fields["cwd"] = c.cwd.map(JSONValue.string) ?? .null
            return .object(fields)
        case .http(let h):
            return .object([
                "kind": .string("http"),
                "url": .string(h.url),
                "method": .string(h.method),
                "headers": .object(h.headers.mapValues(JSONValue.string)),
                "allow_private": .bool(h.allowPrivate),
                "timeout_seconds": Self.number(h.timeoutSeconds),
            ])
        case .mcp(let m):
            return .object([
                "kind": .string("mcp"),
                "server": .string(m.server),
                "tool": .string(m.tool),
                "timeout_seconds": Self.number(m.timeoutSeconds),
            ])
        }
    }

    private static func number(_ d: Double) -> JSONValue {
        d.rounded() == d && abs(d) < 1e15 ? .integer(Int64(d)) : .number(d)
    }

    /// A POSIX-style variable name: a letter or `_`, then letters, digits or `_` (ASCII).
    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    private static func isHeaderName(_ name: String) -> Bool {
        let token = Set("!#$%&'*+-.^_`|~")
        return !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || token.contains($0)) }
    }
}
