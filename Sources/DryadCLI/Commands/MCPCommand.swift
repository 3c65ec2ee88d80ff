import ArgumentParser
import DryadCore
import DryadMCP
import Foundation

/// `dryad mcp`: an MCP server on stdin/stdout for an agent's host, acting as one principal.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve registered tools and memory to an MCP client on stdin/stdout.",
        discussion:
            "Started by an agent's host (claude mcp add dryad -- dryad mcp --as planner). It acts as one principal, which it must be told: --as, --token-file or $DRYAD_TOKEN (it never defaults to the local operator). Lists the tools that principal may execute and runs them as tools execute does (recorded, audited, contained); an agent also gets memory_store, memory_get, memory_search, memory_update, memory_parents and memory_log_error, and its contexts as dryad://memory/context/{id} resources. stdout carries only protocol messages; warnings go to stderr."
    )

    @OptionGroup var global: GlobalOptions

    @Option(
        help: ArgumentHelp("Record every run in this memory context (a call's _meta \"dryad/context\" may name another).", valueName: "id"),
        completion: DatabaseCompletion.contexts)
    var context: String?

    @Option(name: .customLong("tag"), help: ArgumentHelp("Serve only tools with this tag (repeatable: all of them).", valueName: "tag"))
    var tags: [String] = []

    @Flag(help: "List only search_tools and the tools its searches found, for catalogues too large to list.")
    var searchOnly = false

    func validate() throws {
        let token = ProcessInfo.processInfo.environment["DRYAD_TOKEN"] ?? ""
        if global.actAs == nil && global.tokenFile == nil && token.isEmpty {
            throw ValidationError("dryad mcp acts as one principal: give --as NAME, --token-file PATH or DRYAD_TOKEN")
        }
        if global.output != .table { throw ValidationError("--output does not apply: dryad mcp writes only protocol messages") }
    }

    func run() async throws {
        let (database, principal) = try await global.open()
        // Upstream servers' programs live as long as this session.
        let upstream = MCPUpstreamPool(database: database, environment: ProcessInfo.processInfo.environment)
        let session = MCPSession(
            database: database, principal: principal, settings: MCPSettings(contextID: context, tags: tags, searchOnly: searchOnly),
            environment: ProcessInfo.processInfo.environment, upstream: upstream)
        // A host keeps this process for days: each request checks again that the token still
        // holds (not revoked or expired) and the principal is enabled, and takes its current role.
        let token = try global.token()
        let name = principal.name
        await session.reauthenticate { () async throws(DryadError) -> Principal in
            if let token { return try await database.tokenVerifier.verify(token, requestID: nil) }
            return try await database.principals.acting(as: name, requestID: nil)
        }
        let channel = MCPLineChannel(input: STDIN_FILENO, output: STDOUT_FILENO)
        // SIGTERM or Ctrl-C from the host ends the session: running tools are killed and recorded.
        SignalPipe.install([SIGINT, SIGTERM]) { channel.stop() }
        await channel.serve(session)
        await upstream.shutdown()
    }
}
