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

    @OptionGroup var program: ProgramOptions

    @Option(help: ArgumentHelp("Seconds a run may take (default 30).", valueName: "seconds"))
    var timeout: Double?

    var describesExecutor: Bool { !command.isEmpty || url != nil }

    func validate() throws {
        if !command.isEmpty && url != nil { throw ValidationError("--command and --http are mutually exclusive") }
        if (method != nil || !headers.isEmpty || allowPrivate) && url == nil { throw ValidationError("--method, --header and --allow-private need --http") }
        if program.isGiven && command.isEmpty {
            throw ValidationError("--env, --cwd, --sandbox, --network, --allow-read and --allow-write need --command")
        }
    }

    /// The executor's JSON form, or nil when no executor flag was given.
    func json() throws(DryadError) -> JSONValue? {
        var fields: [String: JSONValue] = [:]
        if let timeout { fields["timeout_seconds"] = .number(timeout) }
        if !command.isEmpty {
            fields["kind"] = .string("command")
            fields["argv"] = .array(command.map(JSONValue.string))
            try program.apply(to: &fields)
        } else if let url {
            fields["kind"] = .string("http")
            fields["url"] = .string(url)
            if let method { fields["method"] = .string(method) }
            fields["headers"] = .object(try ProgramOptions.headers(headers))
            fields["allow_private"] = .bool(allowPrivate)
        } else {
            return nil
        }
        return .object(fields)
    }
}

extension SandboxPolicy.Mode: ExpressibleByArgument {}
