import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// An upstream that answers from a script and counts what it was asked: the core's rules
/// (permissions, versions, records) are tested here; the MCP client that really speaks to
/// servers is tested against real ones by Tests/mcp/gateway_test.py.
final class ScriptedUpstream: UpstreamClient {
    let tools: Mutex<[UpstreamTool]>
    let answer: Mutex<UpstreamCallEnding>
    let asked = Mutex<[String]>([])

    init(tools: [UpstreamTool], answer: UpstreamCallEnding = .answered(content: .array([]), structured: nil, isError: false)) {
        self.tools = Mutex(tools)
        self.answer = Mutex(answer)
    }

    func listTools(of server: UpstreamServer) async throws(DryadError) -> UpstreamListing {
        asked.withLock { $0.append("tools/list \(server.name)") }
        return UpstreamListing(tools: tools.withLock { $0 }, serverInfo: .object(["name": .string("scripted"), "version": .string("2.0.0")]))
    }

    func call(_ tool: String, arguments: JSONValue, on server: UpstreamServer, timeout: Duration) async -> UpstreamCallEnding {
        asked.withLock { $0.append("tools/call \(server.name) \(tool) \(arguments.canonicalText)") }
        return answer.withLock { $0 }
    }

    func disconnect(_ name: String) async {
        asked.withLock { $0.append("disconnect \(name)") }
    }
}

@Suite struct ServerRegistryTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    static let object: JSONValue = .object(["type": .string("object"), "properties": .object(["a": .object(["type": .string("integer")])])])
    static let program = UpstreamTransport.stdio(CommandEndpoint(argv: ["/bin/cat"]))

    func member(_ name: String) async throws -> Principal {
        _ = try await database.principals.add(name, type: .agent, role: .member, as: testOperator)
        return try await database.principals.acting(as: name, requestID: nil)
    }

    // MARK: - Names

    @Test func upstreamNamesBecomeToolNamesDeterministically() {
        #expect(UpstreamNaming.dryadName(prefix: "gh", tool: "create_issue") == "gh__create_issue")
        #expect(UpstreamNaming.dryadName(prefix: "", tool: "create_issue") == "create_issue")
        let dotted = UpstreamNaming.dryadName(prefix: "fs", tool: "files.read")
        let other = UpstreamNaming.dryadName(prefix: "fs", tool: "files_read.")
        #expect(dotted.hasPrefix("fs__files_read-"))
        #expect(dotted == UpstreamNaming.dryadName(prefix: "fs", tool: "files.read"))
        #expect(dotted != other)
        let long = UpstreamNaming.dryadName(prefix: "p", tool: String(repeating: "x", count: 128))
        #expect(NameRule.toolName.accepts(dotted) && NameRule.toolName.accepts(long) && NameRule.toolName.accepts(other))
        #expect(long != UpstreamNaming.dryadName(prefix: "p", tool: String(repeating: "x", count: 127)))
    }

    @Test func globsChooseTheToolsTaken() {
        var server = UpstreamServer(name: "s", transport: Self.program, include: ["read_*", "list"], exclude: ["read_secret*"])
        #expect(server.takes("read_file") && server.takes("list"))
        #expect(!server.takes("read_secrets") && !server.takes("write_file"))
        server.include = []
        #expect(server.takes("write_file") && !server.takes("read_secret"))
    }

    // MARK: - Registering servers

    @Test func transportsFollowTheExecutorRules() throws {
        let env = JSONValue.object(["kind": .string("stdio"), "argv": .array([.string("/bin/cat")]), "env": .object(["X": .string("${DRYAD_KEY}")])])
        #expect(errorCode { _ = try UpstreamTransport(json: env) } == "invalid_input")
        let timeout = JSONValue.object(["kind": .string("http"), "url": .string("https://x.example/mcp"), "timeout_seconds": .integer(3)])
        #expect(errorCode { _ = try UpstreamTransport(json: timeout) } == "invalid_input")
        let http = try UpstreamTransport(json: .object(["kind": .string("http"), "url": .string("https://x.example/mcp")]))
        #expect(try UpstreamTransport(json: http.json) == http)
        #expect(try UpstreamTransport(json: Self.program.json) == Self.program)
    }

    @Test func onlyAdminsAddSyncListAndRemove() async throws {
        let agent = try await member("agent")
        let upstream = ScriptedUpstream(tools: [UpstreamTool(name: "t", inputSchema: Self.object)])
        let server = UpstreamServer(name: "up", transport: Self.program)
        #expect(await errorCode { _ = try await database.servers.add(server, as: agent) } == "permission_denied")
        _ = try await database.servers.add(server, as: testOperator)
        #expect(await errorCode { _ = try await database.servers.sync("up", using: upstream, as: agent) } == "permission_denied")
        #expect(upstream.asked.withLock { $0 }.isEmpty)
        #expect(await errorCode { _ = try await database.servers.list(as: agent) } == "permission_denied")
        #expect(await errorCode { _ = try await database.servers.remove("up", client: upstream, as: agent) } == "permission_denied")
        #expect(await errorCode { _ = try await database.servers.add(server, as: testOperator) } == "conflict")
        let bad = UpstreamServer(name: "no.dots", transport: Self.program)
        #expect(await errorCode { _ = try await database.servers.add(bad, as: testOperator) } == "invalid_input")
    }

    // MARK: - Sync

    @Test func syncRegistersVersionsAndDeprecates() async throws {
        let upstream = ScriptedUpstream(tools: [
            UpstreamTool(name: "add", description: "Add.", inputSchema: Self.object),
            UpstreamTool(name: "old", description: "Old.", inputSchema: Self.object),
            UpstreamTool(name: "files.read", title: "Read", inputSchema: Self.object, annotations: .object(["readOnlyHint": .bool(true)])),
        ])
        _ = try await database.servers.add(UpstreamServer(name: "up", transport: Self.program), as: testOperator)
        let first = try await database.servers.sync("up", using: upstream, as: testOperator)
        let mapped = UpstreamNaming.dryadName(prefix: "up", tool: "files.read")
        #expect(first.added == ["up__add", mapped, "up__old"].sorted())
        let read = try await database.tools.get(.nameOrID(mapped), as: testOperator)
        #expect(read.executor == .mcp(UpstreamEndpoint(server: "up", tool: "files.read")))
        #expect(read.description == "Read")
        #expect(read.metadata["annotations"] == .object(["readOnlyHint": .bool(true)]))
        #expect(read.metadata["mcp"] == .object(["server": .string("up"), "tool": .string("files.read"), "upstream_version": .string("2.0.0")]))
        #expect(read.tags == ["mcp", "mcp:up"])

        let again = try await database.servers.sync("up", using: upstream, as: testOperator)
        #expect(again.unchanged.count == 3 && again.added.isEmpty)

        let wider: JSONValue = .object(["type": .string("object"), "properties": .object(["a": .object([:]), "b": .object([:])])])
        upstream.tools.withLock { tools in
            tools = [UpstreamTool(name: "add", description: "Add more.", inputSchema: wider), tools[2]]
        }
        let changed = try await database.servers.sync("up", using: upstream, as: testOperator)
        #expect(changed.versioned == ["up__add@1.1.0"])
        #expect(changed.deprecated == ["up__old"])
        #expect(try await database.tools.get(.nameOrID("up__add"), as: testOperator).inputSchema == wider)
        #expect(try await database.tools.get(try ToolReference("up__add@1.0.0"), as: testOperator).inputSchema == Self.object)
        #expect(try await database.tools.get(.nameOrID("up__old"), as: testOperator).status == .deprecated)

        upstream.tools.withLock { $0.append(UpstreamTool(name: "old", description: "Back.", inputSchema: Self.object)) }
        let back = try await database.servers.sync("up", using: upstream, as: testOperator)
        #expect(back.updated == ["up__old"])
        let old = try await database.tools.get(.nameOrID("up__old"), as: testOperator)
        #expect(old.status == .active && old.description == "Back.")
    }

    /// A disabled newer version is not the latest, but its number is taken: the next schema
    /// change goes past it instead of failing the whole sync on a clash.
    @Test func aNewVersionGoesPastADisabledOne() async throws {
        let upstream = ScriptedUpstream(tools: [UpstreamTool(name: "t", inputSchema: Self.object)])
        _ = try await database.servers.add(UpstreamServer(name: "up", transport: Self.program), as: testOperator)
        _ = try await database.servers.sync("up", using: upstream, as: testOperator)
        upstream.tools.withLock { $0 = [UpstreamTool(name: "t", inputSchema: .object(["type": .string("object"), "required": .array([])]))] }
        #expect(try await database.servers.sync("up", using: upstream, as: testOperator).versioned == ["up__t@1.1.0"])
        _ = try await database.tools.update(try ToolReference("up__t@1.1.0"), ToolChanges(status: .disabled), as: testOperator)
        upstream.tools.withLock { $0 = [UpstreamTool(name: "t", inputSchema: .object(["type": .string("object"), "title": .string("v3")]))] }
        #expect(try await database.servers.sync("up", using: upstream, as: testOperator).versioned == ["up__t@1.2.0"])
    }

    @Test func syncNeverTakesANameThatIsNotItsOwn() async throws {
        _ = try await database.tools.register([definition("up__add")], as: testOperator)
        let upstream = ScriptedUpstream(tools: [UpstreamTool(name: "add", inputSchema: Self.object), UpstreamTool(name: "bad", inputSchema: .string("x"))])
        _ = try await database.servers.add(UpstreamServer(name: "up", transport: Self.program), as: testOperator)
        let report = try await database.servers.sync("up", using: upstream, as: testOperator)
        #expect(report.added.isEmpty)
        #expect(report.skipped.map(\.tool) == ["add", "bad"])
        #expect(try await database.tools.get(.nameOrID("up__add"), as: testOperator).executor == nil)
    }

    @Test func removingAServerDeprecatesItsToolsAndDisconnects() async throws {
        let upstream = ScriptedUpstream(tools: [UpstreamTool(name: "t", inputSchema: Self.object)])
        _ = try await database.servers.add(UpstreamServer(name: "up", transport: Self.program), as: testOperator)
        _ = try await database.servers.sync("up", using: upstream, as: testOperator)
        #expect(try await database.servers.remove("up", client: upstream, as: testOperator) == ["up__t"])
        #expect(upstream.asked.withLock { $0 }.last == "disconnect up")
        #expect(try await database.tools.get(.nameOrID("up__t"), as: testOperator).status == .deprecated)
        let outcome = try await database.executor(environment: [:], upstream: upstream).execute(.nameOrID("up__t"), input: .object([:]), as: testOperator)
        #expect(outcome.record.status == .failed)
        #expect(outcome.record.error == "server up is not registered (removed?)")
        #expect(upstream.asked.withLock { $0 }.last == "disconnect up")
    }

    @Test func listChangedMarksAndSyncsOnlyWhenAsked() async throws {
        let upstream = ScriptedUpstream(tools: [UpstreamTool(name: "t", inputSchema: Self.object)])
        _ = try await database.servers.add(UpstreamServer(name: "manual", transport: Self.program), as: testOperator)
        _ = try await database.servers.add(UpstreamServer(name: "auto", transport: Self.program, autoSync: true), as: testOperator)
        #expect(try await database.servers.upstreamToolsChanged("manual", using: upstream) == nil)
        #expect(try await database.servers.get("manual", as: testOperator).changedAt != nil)
        let report = try await database.servers.upstreamToolsChanged("auto", using: upstream)
        #expect(report?.added == ["auto__t"])
        #expect(try await database.servers.get("auto", as: testOperator).changedAt == nil)
        let entries = try await database.audit.list(AuditQuery(principal: "local:dryad"), as: testOperator).items
        #expect(entries.map(\.action) == ["servers.sync"])
        #expect(try await database.servers.upstreamToolsChanged("gone", using: upstream) == nil)
    }

    // MARK: - Calls

    @Test func callsAreCheckedRecordedAndMapped() async throws {
        let upstream = ScriptedUpstream(tools: [UpstreamTool(name: "add", inputSchema: Self.object), UpstreamTool(name: "drop", inputSchema: Self.object)])
        _ = try await database.servers.add(UpstreamServer(name: "up", transport: Self.program), as: testOperator)
        _ = try await database.servers.sync("up", using: upstream, as: testOperator)
        let runner = database.executor(environment: [:], upstream: upstream)

        upstream.answer.withLock { $0 = .answered(content: .array([]), structured: .object(["sum": .integer(3)]), isError: false) }
        let ok = try await runner.execute(.nameOrID("up__add"), input: .object(["a": .integer(1)]), origin: .api, as: testOperator)
        #expect(ok.record.status == .succeeded && ok.record.output == .object(["sum": .integer(3)]) && ok.record.via == "api")
        #expect(upstream.asked.withLock { $0 }.last == #"tools/call up add {"a":1}"#)

        let text: JSONValue = .array([.object(["type": .string("text"), "text": .string("no such row")])])
        upstream.answer.withLock { $0 = .answered(content: text, structured: nil, isError: true) }
        let failed = try await runner.execute(.nameOrID("up__add"), input: .object([:]), as: testOperator)
        #expect(failed.record.status == .failed && failed.record.error == "the tool reported an error: no such row")
        #expect(failed.record.output == .object(["content": text]))

        upstream.answer.withLock { $0 = .timedOut }
        #expect(try await runner.execute(.nameOrID("up__add"), input: .object([:]), as: testOperator).record.status == .timedOut)
        upstream.answer.withLock { $0 = .failed("its process ended (exit code 3)") }
        let dead = try await runner.execute(.nameOrID("up__add"), input: .object([:]), as: testOperator)
        #expect(dead.record.error == "server up: its process ended (exit code 3)")

        // Refused before the upstream is asked: a wrong input, and a principal without execute.
        let calls = upstream.asked.withLock { $0.count }
        let wrong = try await runner.execute(.nameOrID("up__add"), input: .object(["a": .string("x")]), as: testOperator)
        #expect(wrong.record.status == .rejected)
        let agent = try await member("agent")
        _ = try await database.permissions.grant("up__drop", to: .principal("agent"), level: .read, as: testOperator)
        let denied = try await runner.execute(.nameOrID("up__drop"), input: .object([:]), as: agent)
        #expect(denied.record.status == .denied)
        #expect(upstream.asked.withLock { $0.count } == calls)

        let unreachable = try await database.executor(environment: [:]).execute(.nameOrID("up__add"), input: .object([:]), as: testOperator)
        #expect(unreachable.record.error == "this dryad process cannot reach MCP servers")
    }
}
