import ArgumentParser
import DryadCore

/// The flags that describe how a `--command` program runs (its environment, folder and
/// sandbox), shared by a command tool (`tools register/update`) and a stdio upstream server
/// (`servers add`), which run alike.
struct ProgramOptions: ParsableArguments {
    @Option(
        name: .customLong("env"),
        help: ArgumentHelp("Environment variable for --command, as NAME=VALUE; ${NAME} is read from dryad's environment (repeatable).", valueName: "name=value")
    )
    var environment: [String] = []

    @Option(help: ArgumentHelp("Working directory for --command (absolute path).", valueName: "path"))
    var cwd: String?

    @Option(help: ArgumentHelp("How --command runs: contained (default) or none, which runs it as dryad itself (admin only, audited).", valueName: "mode"))
    var sandbox: SandboxPolicy.Mode?

    @Flag(help: "Let a contained --command use the network (TCP, UDP and other socket families).")
    var network = false

    @Option(
        name: .customLong("allow-read"), help: ArgumentHelp("A path a contained --command may read beyond the system folders (repeatable).", valueName: "path"))
    var allowRead: [String] = []

    @Option(name: .customLong("allow-write"), help: ArgumentHelp("A path a contained --command may write in (repeatable).", valueName: "path"))
    var allowWrite: [String] = []

    /// Whether any of these flags was given.
    var isGiven: Bool { !environment.isEmpty || cwd != nil || sandbox != nil || network || !allowRead.isEmpty || !allowWrite.isEmpty }

    /// The `env` object from the NAME=VALUE pairs.
    func env() throws(DryadError) -> [String: JSONValue] {
        var env: [String: JSONValue] = [:]
        for pair in environment {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else { throw .invalidInput("--env: expected NAME=VALUE, got \"\(pair)\"") }
            env[String(pair[..<eq])] = .string(String(pair[pair.index(after: eq)...]))
        }
        return env
    }

    /// The `sandbox` object (contained with no network and no paths unless the flags say otherwise).
    var sandboxJSON: JSONValue {
        .object([
            "mode": .string((sandbox ?? .contained).rawValue), "network": .bool(network),
            "allow_read": .array(allowRead.map(JSONValue.string)), "allow_write": .array(allowWrite.map(JSONValue.string)),
        ])
    }

    /// `fields` with this program's `env`, `cwd` and `sandbox` set (`env` merged into what it holds).
    func apply(to fields: inout [String: JSONValue]) throws(DryadError) {
        var env = fields["env"]?.objectValue ?? [:]
        for (name, value) in try self.env() { env[name] = value }
        fields["env"] = .object(env)
        if let cwd { fields["cwd"] = .string(cwd) }
        fields["sandbox"] = sandboxJSON
    }

    /// Parses `'Name: value'` headers into the `headers` object.
    static func headers(_ given: [String]) throws(DryadError) -> [String: JSONValue] {
        var headers: [String: JSONValue] = [:]
        for header in given {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                throw .invalidInput("--header: expected 'Name: value', got \"\(header)\"")
            }
            headers[String(header[..<colon])] = .string(header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return headers
    }
}
