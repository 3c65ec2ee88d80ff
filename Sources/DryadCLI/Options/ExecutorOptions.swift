import ArgumentParser
import DryadCore

/// The flags that describe how a tool runs, shared by `tools register` and `tools update`.
struct ExecutorOptions: ParsableArguments {
    @Option(
        name: .customLong("command"), parsing: .unconditionalSingleValue,
        help: ArgumentHelp("Run a program: the first --command is the program, each further one an argument.", valueName: "arg"))
    var command: [String] = []

    @Option(name: .customLong("http"), help: ArgumentHelp("Send the input as JSON to this http(s) URL.", valueName: "url"))
    var url: String?

    @Option(help: "HTTP method for --http (default POST).")
    var method: String?

    @Option(name: .customLong("header"), help: ArgumentHelp("HTTP header for --http, as 'Name: value' (repeatable).", valueName: "header"))
    var headers: [String] = []

    @Flag(help: "Let --http reach loopback, link-local and private addresses (refused by default, after DNS resolution).")
    var allowPrivate = false

    @Option(name: .customLong("env"), help: ArgumentHelp("Environment variable for --command, as NAME=VALUE (repeatable).", valueName: "name=value"))
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

    @Option(help: ArgumentHelp("Seconds a run may take (default 30).", valueName: "seconds"))
    var timeout: Double?

    var describesExecutor: Bool { !command.isEmpty || url != nil }

    func validate() throws {
        if !command.isEmpty && url != nil { throw ValidationError("--command and --http are mutually exclusive") }
        if (method != nil || !headers.isEmpty || allowPrivate) && url == nil { throw ValidationError("--method, --header and --allow-private need --http") }
        if (!environment.isEmpty || cwd != nil) && command.isEmpty { throw ValidationError("--env and --cwd need --command") }
        if (sandbox != nil || network || !allowRead.isEmpty || !allowWrite.isEmpty) && command.isEmpty {
            throw ValidationError("--sandbox, --network, --allow-read and --allow-write need --command")
        }
    }

    /// The executor's JSON form, or nil when no executor flag was given.
    func json() throws(DryadError) -> JSONValue? {
        var fields: [String: JSONValue] = [:]
        if let timeout { fields["timeout_seconds"] = .number(timeout) }
        if !command.isEmpty {
            fields["kind"] = .string("command")
            fields["argv"] = .array(command.map(JSONValue.string))
            var env: [String: JSONValue] = [:]
            for pair in environment {
                guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                    throw .invalidInput("--env: expected NAME=VALUE, got \"\(pair)\"")
                }
                env[String(pair[..<eq])] = .string(String(pair[pair.index(after: eq)...]))
            }
            fields["env"] = .object(env)
            if let cwd { fields["cwd"] = .string(cwd) }
            fields["sandbox"] = .object([
                "mode": .string((sandbox ?? .contained).rawValue), "network": .bool(network),
                "allow_read": .array(allowRead.map(JSONValue.string)), "allow_write": .array(allowWrite.map(JSONValue.string)),
            ])
        } else if let url {
            fields["kind"] = .string("http")
            fields["url"] = .string(url)
            if let method { fields["method"] = .string(method) }
            var headerFields: [String: JSONValue] = [:]
            for header in headers {
                guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                    throw .invalidInput("--header: expected 'Name: value', got \"\(header)\"")
                }
                headerFields[String(header[..<colon])] = .string(header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            fields["headers"] = .object(headerFields)
            fields["allow_private"] = .bool(allowPrivate)
        } else {
            return nil
        }
        return .object(fields)
    }
}

extension SandboxPolicy.Mode: ExpressibleByArgument {}
