/// How dryad reaches an upstream MCP server: a program it starts and speaks to over stdio, or
/// a Streamable HTTP endpoint. Stored as JSON; the checks are a command or HTTP executor's
/// (`ToolEndpoint`), so an environment value or a header is held to one rule wherever it appears.
public enum UpstreamTransport: Sendable, Equatable {
    /// A program (argv, env, cwd and its sandbox), started once and kept running.
    case stdio(CommandEndpoint)
    /// A Streamable HTTP endpoint (`url`, `headers` with `${NAME}` from dryad's environment,
    /// `allow_private`); always POST.
    case http(HTTPEndpoint)

    /// Reads the `transport` object (`kind`: stdio or http); `stored` as for `ToolEndpoint`.
    public init(json: JSONValue, path: String = "transport", stored: Bool = false) throws(DryadError) {
        guard case .object(var fields) = json else { throw .invalidInput("\(path): expected an object") }
        for field in ["timeout_seconds", "method"] where fields[field] != nil {
            throw .invalidInput("\(path).\(field): not a property of a server's transport")
        }
        switch fields["kind"] {
        case .string("stdio")?:
            fields["kind"] = .string("command")
            guard case .command(let command) = try ToolEndpoint(json: .object(fields), path: path, stored: stored) else {
                throw .invalidInput("\(path): expected a stdio transport")
            }
            self = .stdio(command)
        case .string("http")?:
            guard case .http(let http) = try ToolEndpoint(json: .object(fields), path: path, stored: stored) else {
                throw .invalidInput("\(path): expected an http transport")
            }
            self = .http(http)
        default:
            throw .invalidInput("\(path).kind: expected \"stdio\" or \"http\"")
        }
    }

    /// The stored and printed JSON form.
    public var json: JSONValue {
        switch self {
        case .stdio(let command):
            guard case .object(var fields) = ToolEndpoint.command(command).json else { return .null }
            fields["kind"] = .string("stdio")
            fields["timeout_seconds"] = nil
            return .object(fields)
        case .http(let http):
            guard case .object(var fields) = ToolEndpoint.http(http).json else { return .null }
            fields["timeout_seconds"] = nil
            fields["method"] = nil
            return .object(fields)
        }
    }

    /// "stdio" or "http", for listings.
    public var kind: String {
        switch self {
        case .stdio: "stdio"
        case .http: "http"
        }
    }
}
