/// A server described in the official MCP registry's `server.json` format, read into what
/// dryad registers: a transport and a name. It is a foreign format, so fields dryad does not
/// use are not refused; they are listed (`ignored`) for the operator to read.
///
/// The transport is the first `remotes[]` entry of type `streamable-http` (nothing to run
/// locally), else the first `packages[]` entry on stdio whose registry dryad knows how to run:
/// `npm` (`npx -y ID@VERSION`), `pypi` (`uvx ID==VERSION`), `oci` (`docker run -i --rm
/// ID:VERSION`) or `nuget` (`dnx ID@VERSION --yes`), with its runtime arguments before the
/// package and its package arguments after it. Environment variables and header values refer
/// to dryad's environment (`${NAME}`), so no secret is written into the registration: a
/// header's `{name}` placeholder becomes `${NAME}` (upper case, `_` for other characters).
public struct ServerManifest: Sendable, Equatable {
    public var transport: UpstreamTransport
    /// A server name from the manifest's `name` (its last path segment, made to fit the rule).
    public var suggestedName: String
    /// The manifest's fields (and list entries) dryad did not use, as JSON paths.
    public var ignored: [String]
    /// The variables of dryad's environment the server will read (`${NAME}` in env or headers).
    public var variables: [String]

    /// The most bytes a manifest may hold.
    public static let maxBytes = 1024 * 1024

    public init(json: JSONValue) throws(DryadError) {
        guard case .object(let fields) = json else { throw .invalidInput("server.json: expected an object") }
        var ignored = fields.keys.filter { !["name", "packages", "remotes"].contains($0) }.sorted()
        guard case .string(let name)? = fields["name"], !name.isEmpty else { throw .invalidInput("server.json: name: required") }
        suggestedName = Self.serverName(from: name)
        var variables: [String] = []
        var chosen: UpstreamTransport?
        let remotes = try Self.list(fields["remotes"], path: "remotes")
        let packages = try Self.list(fields["packages"], path: "packages")
        for (index, remote) in remotes.enumerated() {
            let path = "remotes[\(index)]"
            guard chosen == nil, case .object(let entry) = remote, entry["type"] == .string("streamable-http") else {
                ignored.append(path)
                continue
            }
            chosen = try Self.remote(entry, path: path, variables: &variables, ignored: &ignored)
        }
        for (index, package) in packages.enumerated() {
            let path = "packages[\(index)]"
            guard chosen == nil, case .object(let entry) = package, let program = Self.program(entry) else {
                ignored.append(path)
                continue
            }
            chosen = try Self.package(entry, program: program, path: path, variables: &variables, ignored: &ignored)
        }
        guard let chosen else {
            throw .invalidInput(
                "server.json: neither a streamable-http remote nor a stdio package of npm, pypi, oci or nuget; register the server with a command or URL instead"
            )
        }
        transport = chosen
        self.ignored = ignored
        self.variables = Array(Set(variables)).sorted()
    }

    private static func list(_ value: JSONValue?, path: String) throws(DryadError) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?: return items
        default: throw .invalidInput("server.json: \(path): expected an array")
        }
    }

    /// `io.github.someone/weather-server` → `weather-server`.
    static func serverName(from name: String) -> String {
        let last = name.split(separator: "/").last.map(String.init) ?? name
        let mapped = String(last.unicodeScalars.map { $0.isASCII && NameRule.serverName.accepts(String($0)) ? Character($0) : "-" })
        let cut = String(mapped.prefix(NameRule.serverName.maxLength))
        return cut.isEmpty ? "server" : cut
    }

    /// A placeholder's name as an environment variable: `api_key` → `API_KEY`.
    static func variable(_ name: String) -> String {
        let mapped = String(
            name.uppercased().unicodeScalars.map { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) ? Character($0) : "_" })
        return mapped.first?.isNumber == true ? "_" + mapped : mapped
    }

    /// `Bearer {api_key}` → `Bearer ${API_KEY}`, noting the variable.
    static func template(_ value: String, variables: inout [String]) -> String {
        var output = ""
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            output += rest[..<open]
            let name = variable(String(rest[rest.index(after: open)..<close]))
            variables.append(name)
            output += "${\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }

    private static func remote(
        _ entry: [String: JSONValue], path: String, variables: inout [String], ignored: inout [String]
    ) throws(DryadError) -> UpstreamTransport {
        guard case .string(let url)? = entry["url"] else { throw .invalidInput("server.json: \(path).url: required") }
        ignored += entry.keys.filter { !["type", "url", "headers"].contains($0) }.sorted().map { "\(path).\($0)" }
        var headers: [String: JSONValue] = [:]
        for (index, header) in try list(entry["headers"], path: "\(path).headers").enumerated() {
            guard case .object(let field) = header, case .string(let name)? = field["name"] else {
                throw .invalidInput("server.json: \(path).headers[\(index)].name: required")
            }
            let value: String
            if case .string(let given)? = field["value"] {
                value = template(given, variables: &variables)
            } else {
                value = "${\(variable(name))}"
                variables.append(variable(name))
            }
            headers[name] = .string(value)
        }
        return try UpstreamTransport(
            json: .object(["kind": .string("http"), "url": .string(url), "headers": .object(headers)]), path: "server.json: \(path)")
    }

    /// The command that runs a package from its registry, or nil for one dryad cannot run.
    private static func program(_ entry: [String: JSONValue]) -> (runtime: [String], package: String, after: [String])? {
        if case .object(let transport)? = entry["transport"], transport["type"] != .string("stdio") { return nil }
        guard case .string(let registry)? = entry["registryType"], case .string(let id)? = entry["identifier"], !id.isEmpty else { return nil }
        let version = if case .string(let version)? = entry["version"], !version.isEmpty { version } else { "" }
        switch registry {
        case "npm": return (["npx", "-y"], version.isEmpty ? id : "\(id)@\(version)", [])
        case "pypi": return (["uvx"], version.isEmpty ? id : "\(id)==\(version)", [])
        case "oci": return (["docker", "run", "-i", "--rm"], version.isEmpty || id.contains(":") ? id : "\(id):\(version)", [])
        case "nuget": return (["dnx"], version.isEmpty ? id : "\(id)@\(version)", ["--yes"])
        default: return nil
        }
    }

    private static func package(
        _ entry: [String: JSONValue], program: (runtime: [String], package: String, after: [String]), path: String, variables: inout [String],
        ignored: inout [String]
    ) throws(DryadError) -> UpstreamTransport {
        let used = ["registryType", "identifier", "version", "transport", "runtimeArguments", "packageArguments", "environmentVariables", "runtimeHint"]
        ignored += entry.keys.filter { !used.contains($0) }.sorted().map { "\(path).\($0)" }
        let runtime = try arguments(entry["runtimeArguments"], path: "\(path).runtimeArguments")
        let after = try arguments(entry["packageArguments"], path: "\(path).packageArguments")
        var env: [String: JSONValue] = [:]
        for (index, variable) in try list(entry["environmentVariables"], path: "\(path).environmentVariables").enumerated() {
            guard case .object(let field) = variable, case .string(let name)? = field["name"] else {
                throw .invalidInput("server.json: \(path).environmentVariables[\(index)].name: required")
            }
            // The value always comes from dryad's environment when the server starts.
            env[name] = .string("${\(name)}")
            variables.append(name)
        }
        let argv = program.runtime + runtime + [program.package] + program.after + after
        return try UpstreamTransport(
            json: .object(["kind": .string("stdio"), "argv": .array(argv.map(JSONValue.string)), "env": .object(env)]),
            path: "server.json: \(path)")
    }

    /// Runtime or package arguments: positional values as given, named ones as `--name value`.
    private static func arguments(_ value: JSONValue?, path: String) throws(DryadError) -> [String] {
        var argv: [String] = []
        for (index, item) in try list(value, path: path).enumerated() {
            guard case .object(let argument) = item else { throw .invalidInput("server.json: \(path)[\(index)]: expected an object") }
            let text = if case .string(let value)? = argument["value"] { value } else if case .string(let hint)? = argument["default"] { hint } else { "" }
            switch argument["type"] {
            case .string("named")?:
                guard case .string(let name)? = argument["name"] else { throw .invalidInput("server.json: \(path)[\(index)].name: required") }
                argv.append(name)
                if !text.isEmpty { argv.append(text) }
            default:
                guard !text.isEmpty else { throw .invalidInput("server.json: \(path)[\(index)]: a positional argument needs a value") }
                argv.append(text)
            }
        }
        return argv
    }
}
