import DryadTestSupport
import Foundation
import Testing

@testable import DryadCore

/// The security review's escalations, performed: each grant reaches exactly what it says.
@Suite struct EscalationTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    func principal(_ name: String, _ kind: Principal.Kind) async throws -> Principal {
        try await database.principals.add(name, type: kind, role: .member, as: testOperator).principal(requestID: "req-\(name)")
    }

    /// The review's attack: an admin guards a document reader with a `pattern`; a `write` grantee
    /// registers a new version with the same executor and an open schema, and an `execute`
    /// grantee reads `../ops.tok` through it. The open version is refused, so the guard holds.
    @Test func aWriterCannotLoosenTheInputSchemaThatGuardsAProgram() async throws {
        let files = try ToolFiles()
        try FileManager.default.createDirectory(atPath: files.path + "/docs", withIntermediateDirectories: true)
        try "hello".write(toFile: files.path + "/docs/readme.md", atomically: true, encoding: .utf8)
        try "ops-secret-token".write(toFile: files.path + "/ops.tok", atomically: true, encoding: .utf8)
        let reader = "import json,sys; print(open('\(files.path)/docs/' + json.load(sys.stdin)['path']).read())"
        let guarded = try JSONValue.parse(
            #"{"type":"object","properties":{"path":{"type":"string","pattern":"^[a-z]+\\.md$"}},"required":["path"]}"#)
        var readdoc = ToolDefinition(name: "readdoc", version: "1.0.0", description: "Reads a document", inputSchema: guarded)
        readdoc.executor = .command(CommandEndpoint(argv: ["/usr/bin/python3", "-c", reader], sandbox: SandboxPolicy(allowRead: [files.path])))
        _ = try await database.tools.register([readdoc], as: testOperator)
        let writer = try await principal("ci", .service)
        let caller = try await principal("planner", .agent)
        _ = try await database.permissions.grant("readdoc", to: .principal("ci"), level: .write, as: testOperator)
        _ = try await database.permissions.grant("readdoc", to: .principal("planner"), level: .execute, as: testOperator)

        var open = readdoc
        open.version = "1.0.1"
        open.inputSchema = .object(["type": .string("object")])
        await #expect(
            throws: DryadError.permissionDenied("ci may not change what readdoc accepts: a new input schema for an executor needs the admin role")
        ) {
            _ = try await database.tools.register([open], as: writer)
        }
        let runner = database.executor(environment: ["PATH": "/usr/bin:/bin"])
        let attack = try await runner.execute(.nameOrID("readdoc"), input: .object(["path": .string("../ops.tok")]), as: caller)
        #expect(attack.record.status == .rejected)
        #expect(attack.record.output == nil)
        let fair = try await runner.execute(.nameOrID("readdoc"), input: .object(["path": .string("readme.md")]), as: caller)
        #expect(fair.record.output == .string("hello\n"), "\(fair.failure?.message ?? "")")

        // What the grant does allow: a new version with the same program and the same guard.
        var same = readdoc
        same.version = "1.0.2"
        same.description = "Reads a document, faster"
        #expect(try await database.tools.register([same], as: writer).map(\.version) == ["1.0.2"])
    }

    /// An admin takes a version out of service; a writer may not put it back, nor put a new
    /// version in service beside it, but may still deprecate and disable.
    @Test func onlyAnAdminEnablesWhatAnAdminDisabled() async throws {
        var tool = definition("t")
        tool.executor = .command(CommandEndpoint(argv: ["/bin/true"]))
        _ = try await database.tools.register([tool], as: testOperator)
        let writer = try await principal("ci", .service)
        _ = try await database.permissions.grant("t", to: .principal("ci"), level: .write, as: testOperator)
        _ = try await database.tools.update(.nameOrID("t"), ToolChanges(status: .disabled), as: testOperator)

        let refusal = DryadError.permissionDenied("ci may not enable t@1.0.0: it was disabled, and enabling needs the admin role")
        for status in [ToolStatus.active, .deprecated] {
            await #expect(throws: refusal) {
                _ = try await database.tools.update(.nameOrID("t"), ToolChanges(status: status), as: writer)
            }
        }
        var back = tool
        back.status = .active
        await #expect(throws: refusal) { _ = try await database.tools.replace(try ToolReference("t@1.0.0"), with: back, as: writer) }
        var next = tool
        next.version = "1.1.0"
        await #expect(throws: DryadError.permissionDenied("ci may not enable t: it was disabled, and enabling needs the admin role")) {
            _ = try await database.tools.register([next], as: writer)
        }
        #expect(try await database.tools.get(.nameOrID("t"), as: testOperator).status == .disabled)

        _ = try await database.tools.update(.nameOrID("t"), ToolChanges(status: .active), as: testOperator)
        #expect(try await database.tools.update(.nameOrID("t"), ToolChanges(status: .deprecated), as: writer).status == .deprecated)
        #expect(try await database.tools.update(.nameOrID("t"), ToolChanges(status: .disabled), as: writer).status == .disabled)
    }

    /// A write share let the sharee set `ttl_seconds: 1`; the context expired and a purge removed
    /// the owner's subtree. Expiry, like delete, is the owner's.
    @Test func aSharedWriterCannotExpireTheOwnersContext() async throws {
        let owner = try await principal("planner", .agent)
        let sharee = try await principal("critic", .agent)
        let root = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object(["plan": .string("a")])), as: owner)
        let child = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object([:]), parentID: root.id), as: owner)
        _ = try await database.memory.share(root.id, with: "critic", access: .write, as: owner)

        await #expect(throws: DryadError.permissionDenied("only the owner of context \(root.id) may do this")) {
            _ = try await database.memory.update(root.id, MemoryChange(ttl: 1), as: sharee)
        }
        await #expect(throws: DryadError.permissionDenied("only the owner of context \(root.id) may do this")) {
            _ = try await database.memory.update(root.id, MemoryChange(content: .replace(.object(["plan": .string("b")])), ttl: 1), as: sharee)
        }
        #expect(try await database.memory.get(root.id, as: owner).version == 1)
        // The share still writes data, and the owner still sets an expiry.
        #expect(try await database.memory.update(root.id, MemoryChange(content: .replace(.object(["plan": .string("b")]))), as: sharee).version == 2)
        #expect(try await database.memory.update(child.id, MemoryChange(ttl: 3600), as: owner).expiresAt != nil)
        #expect(try await database.memory.purge(as: testOperator) == 0)
        #expect(try await database.memory.get(child.id, as: owner).id == child.id)
    }

    /// Storing under a key another agent used answered "already exists": an oracle for other
    /// agents' keys. Keys are unique per agent now, so the answer says nothing about others.
    @Test func keysAreUniquePerAgentAndRevealNothingAboutOthers() async throws {
        let planner = try await principal("planner", .agent)
        let critic = try await principal("critic", .agent)
        let mine = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object([:]), key: "plan"), as: planner)
        let theirs = try await database.memory.store(MemoryDraft(agentID: "critic", data: .object([:]), key: "plan"), as: critic)
        #expect(mine.key == "plan" && theirs.key == "plan" && mine.id != theirs.id)
        await #expect(throws: DryadError.conflict("critic already has a context with key plan")) {
            _ = try await database.memory.store(MemoryDraft(agentID: "critic", data: .object([:]), key: "plan"), as: critic)
        }
    }
}
