import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// Runs in memory contexts (issue 23): the planning document's scenario end to end in the
/// core, and each rule on its own: input from a context, output stored as a version, failures
/// logged on it, the trace, and what an agent without access sees of all that (nothing).
@Suite struct RunsInContextTests {
    let folder: TemporaryFolder
    let database: DryadDatabase
    let runner: ToolRunner

    init() throws {
        folder = try TemporaryFolder()
        // Every reading of the clock is one millisecond later: the story's order is exact.
        let ticks = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        database = try DryadDatabase(
            path: folder.path + "/d.db",
            clock: {
                ticks.withLock {
                    $0 += 0.001; return $0
                }
            })
        runner = database.executor(environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp"])
    }

    func agent(_ name: String) async throws -> Principal {
        try await database.principals.add(name, type: .agent, role: .member, as: testOperator).principal(requestID: nil)
    }

    func shellTool(_ name: String, _ script: String, runnableBy agents: [String] = ["planner"]) async throws {
        var tool = definition(name)
        tool.executor = .command(CommandEndpoint(argv: ["/bin/sh", "-c", script], timeoutSeconds: 10, env: [:], sandbox: .standard))
        _ = try await database.tools.register([tool], as: testOperator)
        for agent in agents { _ = try await database.permissions.grant(name, to: .principal(agent), level: .execute, as: testOperator) }
    }

    func object(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    /// The planning document's third workflow: an agent stores a context, a tool runs in it
    /// with input taken from it, its output lands in the context as a version, a second tool
    /// fails and its error appears on the context, the trace tells all of it in order, and a
    /// second agent without access sees none of it.
    @Test func theScenarioFromMemoryToRunsAndBack() async throws {
        let planner = try await agent("planner")
        let critic = try await agent("critic")
        try await shellTool("summarize", #"read -r line; printf '{"summary": %s}' "$line""#)
        try await shellTool("breaker", "echo 'line one' >&2; echo 'boom at step 3' >&2; exit 3")
        // The critic may read both tools (so only the context can hide the runs from it).
        for tool in ["summarize", "breaker"] { _ = try await database.permissions.grant(tool, to: .principal("critic"), level: .read, as: testOperator) }

        let context = try await database.memory.store(
            MemoryDraft(agentID: "planner", data: try object(#"{"task": {"topic": "tides", "depth": 2}}"#)), as: planner)
        let placement = RunInContext(contextID: context.id, inputFrom: "/task", storeOutput: "/result")
        let ran = try await runner.execute(.nameOrID("summarize"), input: try object(#"{"depth": 3}"#), in: placement, as: planner)
        #expect(ran.failure == nil)
        #expect(ran.record.contextID == context.id)
        // The input came from the context, with the explicit input merged over it.
        #expect(ran.record.input == (try object(#"{"topic": "tides", "depth": 3}"#)))
        #expect(ran.record.storedOutput == StoredOutput(pointer: "/result", stored: true, version: 2))
        let stored = try await database.memory.get(context.id, as: planner)
        #expect(stored.version == 2)
        #expect(stored.data.objectValue?["result"] == (try object(#"{"summary": {"topic": "tides", "depth": 3}}"#)))
        // The version names the run that wrote it.
        #expect(try await database.memory.history(context.id, as: planner).items.map(\.executionID) == [nil, ran.record.id])

        let failed = try await runner.execute(.nameOrID("breaker"), input: .object([:]), in: RunInContext(contextID: context.id), as: planner)
        #expect(failed.record.status == .failed)
        let errors = try await database.errors.list(ErrorQuery(contextID: context.id), as: planner).items
        #expect(errors.count == 1)
        let logged = try #require(errors.first)
        #expect(logged.errorType == "tool.failed")
        #expect(logged.executionID == failed.record.id)
        #expect(logged.errorMessage == "tool breaker@1.0.0: exit code 3: line one boom at step 3")
        #expect(logged.stackTrace == "line one\nboom at step 3\n")
        #expect(try await database.memory.get(context.id, as: planner).unresolvedErrors == 1)

        let story = try await database.memory.trace(context.id, as: planner).items
        #expect(story.filter { $0.kind != .decision }.map(\.kind) == [.version, .run, .version, .run, .error])
        let written = try #require(story.last { $0.kind == .version })
        #expect(written.detail["execution_id"] == .string(ran.record.id))
        #expect(written.detail["changed_leaves"] == .integer(2))
        #expect(story.first { $0.kind == .error }?.detail["execution_id"] == .string(failed.record.id))
        // The planner's own decisions are there (allowed changes; reads are left out).
        #expect(story.filter { $0.kind == .decision }.map { $0.detail["action"]?.stringValue } == ["memory.store", "memory.update"])
        #expect(story.map(\.at) == story.map(\.at).sorted())

        // The critic learns nothing: the context, its runs, its errors, its trace.
        let missing = DryadError.notFound("context \(context.id) not found")
        await #expect(throws: missing) { try await database.memory.trace(context.id, as: critic) }
        await #expect(throws: missing) { try await database.memory.get(.id(context.id), withRuns: true, as: critic) }
        await #expect(throws: missing) {
            try await runner.execute(.nameOrID("summarize"), input: .object([:]), in: RunInContext(contextID: context.id), as: critic)
        }
        await #expect(throws: DryadError.notFound("execution \(ran.record.id) not found")) {
            try await database.executions.show(ran.record.id, as: critic)
        }
        #expect(try await database.executions.history(.nameOrID("summarize"), as: critic).items.isEmpty)
        #expect(try await database.executions.list(ExecutionQuery(contextID: context.id), as: critic).items.isEmpty)
        #expect(try await database.errors.list(ErrorQuery(contextID: context.id), as: critic).items.isEmpty)
        // A refused run in a context is audited on the context.
        let denials = try await database.audit.list(AuditQuery(principal: "critic", decision: "deny"), as: testOperator).items
        #expect(denials.contains { $0.action == "tools.execute" && $0.resource == "memory:\(context.id)" })
    }

    /// An output equal to what is there writes no version; a stale version or a lost write
    /// share stores nothing, logs why on the context, and the run is recorded all the same.
    @Test func aRefusedStoreKeepsTheRunAndSaysWhy() async throws {
        let planner = try await agent("planner")
        _ = try await agent("helper")
        try await shellTool("constant", #"printf '{"n": 1}'"#, runnableBy: ["planner", "helper"])
        let context = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object([:])), as: planner)
        let store = RunInContext(contextID: context.id, storeOutput: "/out/latest")
        #expect(try await runner.execute(.nameOrID("constant"), input: .object([:]), in: store, as: planner).record.storedOutput?.version == 2)

        let again = try await runner.execute(.nameOrID("constant"), input: .object([:]), in: store, as: planner)
        #expect(
            again.record.storedOutput
                == StoredOutput(pointer: "/out/latest", stored: false, reason: "unchanged: the context already holds this output at /out/latest"))
        #expect(again.warnings.isEmpty)
        #expect(try await database.memory.get(context.id, as: planner).version == 2)

        _ = try await database.memory.update(context.id, MemoryChange(content: .mergePatch(.object(["x": .integer(1)]))), as: planner)
        var stale = store
        stale.storeOutput = "/other"
        stale.ifVersion = ExpectedNumbers(2)
        let refused = try await runner.execute(.nameOrID("constant"), input: .object([:]), in: stale, as: planner)
        #expect(refused.record.status == .succeeded)
        #expect(refused.record.storedOutput?.stored == false)
        #expect(refused.record.storedOutput?.reason?.contains("version") == true)
        #expect(refused.warnings == ["the output was not stored in context \(context.id): \(refused.record.storedOutput?.reason ?? "")"])
        #expect(try await database.executions.show(refused.record.id, as: planner).storedOutput == refused.record.storedOutput)
        let notStored = try await database.errors.list(ErrorQuery(contextID: context.id), as: planner).items
        #expect(notStored.map(\.errorType) == ["tool.output_not_stored"])
        #expect(notStored.first?.executionID == refused.record.id)
        #expect(try await database.memory.get(context.id, as: planner).version == 3)

        // The same change merged from version 2 goes in.
        stale.onConflict = .merge
        #expect(try await runner.execute(.nameOrID("constant"), input: .object([:]), in: stale, as: planner).record.storedOutput?.version == 4)

        // A reader may run in the context but not store there: refused before the run.
        _ = try await database.memory.share(context.id, with: "helper", access: .read, as: planner)
        let helper = try await database.principals.show("helper", as: testOperator).principal(requestID: nil)
        await #expect(throws: DryadError.permissionDenied("helper may only read context \(context.id)")) {
            try await runner.execute(.nameOrID("constant"), input: .object([:]), in: store, as: helper)
        }
        let read = try await runner.execute(.nameOrID("constant"), input: .object([:]), in: RunInContext(contextID: context.id), as: helper)
        #expect(read.record.contextID == context.id)
    }

    /// The review's race: write access lost while the tool runs. The run is recorded, the
    /// output is not stored, the refusal is audited, and nothing is logged on a context the
    /// caller may no longer read.
    @Test func aPermissionLostDuringTheRunStoresNothing() async throws {
        let planner = try await agent("planner")
        let helper = try await agent("helper")
        let files = try ToolFiles()
        // The tool says it started, then waits for the test's go-ahead: the share is revoked in between.
        var tool = definition("waiter")
        tool.executor = .command(
            CommandEndpoint(
                argv: ["/bin/sh", "-c", "touch \(files.path)/started; while [ ! -f \(files.path)/go ]; do sleep 0.02; done; printf '{\"late\": true}'"],
                timeoutSeconds: 20, env: [:], sandbox: SandboxPolicy(allowWrite: [files.path])))
        _ = try await database.tools.register([tool], as: testOperator)
        _ = try await database.permissions.grant("waiter", to: .principal("helper"), level: .execute, as: testOperator)
        let context = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object([:])), as: planner)
        _ = try await database.memory.share(context.id, with: "helper", access: .write, as: planner)

        let runner = self.runner
        let run = Task {
            try await runner.execute(.nameOrID("waiter"), input: .object([:]), in: RunInContext(contextID: context.id, storeOutput: "/late"), as: helper)
        }
        while !FileManager.default.fileExists(atPath: files.path + "/started") { try await Task.sleep(for: .milliseconds(10)) }
        _ = try await database.memory.unshare(context.id, with: "helper", as: planner)
        FileManager.default.createFile(atPath: files.path + "/go", contents: nil)
        let outcome = try await run.value
        #expect(outcome.record.status == .succeeded)
        #expect(outcome.record.storedOutput == StoredOutput(pointer: "/late", stored: false, reason: "context \(context.id) not found"))
        #expect(try await database.memory.get(context.id, as: planner).version == 1)
        #expect(try await database.errors.list(ErrorQuery(contextID: context.id), as: testOperator).items.isEmpty)
        let denied = try await database.audit.list(AuditQuery(principal: "helper", action: "memory.update"), as: testOperator).items
        #expect(denied.map(\.decision) == ["deny"])
    }

    /// The review's leaks. A sharee of a child context cannot read its parent, so it does not
    /// see a run whose input may hold the parent's data; a writer of a context who may not
    /// read a tool does not see the error (the tool's name and stderr) its run logged there.
    @Test func runsAndTheirErrorsStayWithThoseWhoMayReadThem() async throws {
        let planner = try await agent("planner")
        let critic = try await agent("critic")
        let helper = try await agent("helper")
        try await shellTool("echo", "cat")
        try await shellTool("leaky", "echo 'token=s3cret' >&2; exit 1")
        _ = try await database.permissions.grant("echo", to: .principal("critic"), level: .read, as: testOperator)
        let parent = try await database.memory.store(MemoryDraft(agentID: "planner", data: try object(#"{"secret": "p4ss"}"#)), as: planner)
        let child = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object([:]), parentID: parent.id), as: planner)
        _ = try await database.memory.share(child.id, with: "critic", access: .read, as: planner)
        let ran = try await runner.execute(.nameOrID("echo"), input: .object([:]), in: RunInContext(contextID: child.id, inputFrom: ""), as: planner)
        #expect(ran.record.input == (try object(#"{"secret": "p4ss"}"#)))
        // The critic reads the child, not its parent: the run is not the critic's to see.
        #expect(try await database.memory.get(child.id, as: critic).id == child.id)
        await #expect(throws: DryadError.notFound("execution \(ran.record.id) not found")) { try await database.executions.show(ran.record.id, as: critic) }
        #expect(try await database.executions.history(.nameOrID("echo"), as: critic).items.isEmpty)
        #expect(try await database.memory.get(.id(child.id), withRuns: true, as: critic).runs == [])
        #expect(try await database.memory.trace(child.id, as: critic).items.allSatisfy { $0.kind != .run })
        // Shared from the parent down, it is.
        _ = try await database.memory.share(parent.id, with: "critic", access: .read, as: planner)
        #expect(try await database.memory.trace(child.id, as: critic).items.contains { $0.kind == .run })
        #expect(try await database.executions.show(ran.record.id, as: critic).id == ran.record.id)

        _ = try await database.memory.share(child.id, with: "helper", access: .write, as: planner)
        let failed = try await runner.execute(.nameOrID("leaky"), input: .object([:]), in: RunInContext(contextID: child.id), as: planner)
        let logged = try #require(try await database.errors.list(ErrorQuery(contextID: child.id), as: planner).items.first)
        #expect(logged.executionID == failed.record.id)
        #expect(logged.stackTrace == "token=s3cret\n")
        #expect(try await database.errors.list(ErrorQuery(contextID: child.id), as: helper).items.isEmpty)
        await #expect(throws: DryadError.notFound("error \(logged.id) not found")) { try await database.errors.show(logged.id, as: helper) }
        #expect(try await database.memory.get(child.id, as: helper).unresolvedErrors == 0)
        #expect(try await database.memory.trace(child.id, as: helper).items.allSatisfy { $0.kind != .error && $0.kind != .run })
        // Reading the tool is not enough while the parent, whose data the run may have read, is not the helper's.
        _ = try await database.permissions.grant("leaky", to: .principal("helper"), level: .read, as: testOperator)
        await #expect(throws: DryadError.notFound("error \(logged.id) not found")) { try await database.errors.show(logged.id, as: helper) }
        _ = try await database.memory.share(parent.id, with: "helper", access: .read, as: planner)
        #expect(try await database.errors.show(logged.id, as: helper).id == logged.id)
        #expect(try await database.memory.get(child.id, as: helper).unresolvedErrors == 1)
    }

    /// A cached resolved context counts the errors the caller may see now: a revoked grant on
    /// the tool whose run logged one changes the count at once.
    @Test func aRevokedGrantReachesTheCachedErrorCount() async throws {
        let cached = try DryadDatabase(path: folder.path + "/cached.db", readAudit: .batched(interval: .milliseconds(5)), readCacheBytes: 1 << 20)
        await cached.startAuditBatching()
        let planner = try await cached.principals.add("planner", type: .agent, role: .member, as: testOperator).principal(requestID: nil)
        let helper = try await cached.principals.add("helper", type: .agent, role: .member, as: testOperator).principal(requestID: nil)
        var tool = definition("breaker")
        tool.executor = .command(CommandEndpoint(argv: ["/bin/sh", "-c", "exit 1"], timeoutSeconds: 10, env: [:], sandbox: .standard))
        _ = try await cached.tools.register([tool], as: testOperator)
        _ = try await cached.permissions.grant("breaker", to: .principal("planner"), level: .execute, as: testOperator)
        _ = try await cached.permissions.grant("breaker", to: .principal("helper"), level: .read, as: testOperator)
        let context = try await cached.memory.store(MemoryDraft(agentID: "planner", data: .object([:])), as: planner)
        _ = try await cached.memory.share(context.id, with: "helper", access: .write, as: planner)
        _ = try await cached.executor(environment: [:]).execute(.nameOrID("breaker"), input: .object([:]), in: RunInContext(contextID: context.id), as: planner)
        func count() async throws -> Int? {
            let answer = try await cached.memory.resolvedEncoded(context.id, explain: false, as: helper)
            return try JSONValue.parse(Data(answer.json.bytes)).objectValue?["unresolved_errors"]?.doubleValue.map { Int($0) }
        }
        #expect(try await count() == 1)
        #expect(try await count() == 1)
        _ = try await cached.permissions.revoke("breaker", from: .principal("helper"), level: .read, as: testOperator)
        #expect(try await count() == 0)
        await cached.flushAudit()
    }

    /// Input from a pointer that holds nothing, or a non-object under an explicit input, is
    /// refused before anything runs; a bad pointer is refused by name.
    @Test func inputFromTheContextIsChecked() async throws {
        let planner = try await agent("planner")
        try await shellTool("echo", "cat")
        let context = try await database.memory.store(MemoryDraft(agentID: "planner", data: try object(#"{"list": [1, 2], "name": "x"}"#)), as: planner)
        let run = { (placement: RunInContext, input: JSONValue) async throws -> ExecutionOutcome in
            try await runner.execute(.nameOrID("echo"), input: input, in: placement, as: planner)
        }
        #expect(try await run(RunInContext(contextID: context.id, inputFrom: "/list"), .object([:])).record.input == (try object("[1, 2]")))
        await #expect(throws: DryadError.invalidInput("input_from: context \(context.id) has no value at /missing")) {
            try await run(RunInContext(contextID: context.id, inputFrom: "/missing"), .object([:]))
        }
        await #expect(throws: DryadError.self) { try await run(RunInContext(contextID: context.id, inputFrom: "/name"), .object(["a": .integer(1)])) }
        await #expect(throws: DryadError.self) { try await run(RunInContext(contextID: context.id, inputFrom: "name"), .object([:])) }
        await #expect(throws: DryadError.self) { try await run(RunInContext(contextID: context.id, ifVersion: ExpectedNumbers(1)), .object([:])) }
        await #expect(throws: DryadError.notFound("context nope not found")) { try await run(RunInContext(contextID: "nope"), .object([:])) }
        #expect(try await database.executions.list(as: testOperator).items.count == 1)
    }

    /// A subtree trace adds the descendants; shares and their revocation are events; a deleted
    /// context's runs keep its id; `get` with runs lists the latest runs and open errors.
    @Test func subtreesSharesDeletionAndActivity() async throws {
        let planner = try await agent("planner")
        let critic = try await agent("critic")
        try await shellTool("echo", "cat")
        try await shellTool("breaker", "exit 1")
        _ = try await database.permissions.grant("echo", to: .principal("critic"), level: .read, as: testOperator)
        let root = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object([:])), as: planner)
        let child = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object([:]), parentID: root.id), as: planner)
        let inChild = try await runner.execute(.nameOrID("echo"), input: .object([:]), in: RunInContext(contextID: child.id), as: planner)
        let broke = try await runner.execute(.nameOrID("breaker"), input: .object([:]), in: RunInContext(contextID: root.id), as: planner)
        #expect(try await database.memory.trace(root.id, as: planner).items.filter { $0.kind == .run }.count == 1)
        let whole = try await database.memory.trace(root.id, subtree: true, as: planner).items
        #expect(whole.filter { $0.kind == .run }.map { $0.detail["execution_id"] } == [.string(inChild.record.id), .string(broke.record.id)])

        _ = try await database.memory.share(root.id, with: "critic", access: .read, as: planner)
        // Shared: the critic sees the runs of tools it may read, not the breaker's, and no
        // error (it may not write the context), and only its own decisions.
        let seen = try await database.memory.trace(root.id, subtree: true, as: critic).items
        #expect(seen.filter { $0.kind == .run }.map { $0.detail["execution_id"] } == [.string(inChild.record.id)])
        #expect(seen.filter { $0.kind == .error }.isEmpty)
        #expect(seen.filter { $0.kind == .decision }.isEmpty)
        #expect(seen.filter { $0.kind == .share }.map { $0.detail["agent_id"] } == [.string("critic")])
        _ = try await database.memory.unshare(root.id, with: "critic", as: planner)
        let last = try #require(try await database.memory.trace(root.id, as: planner).items.last { $0.kind != .decision })
        #expect(last.kind == .unshare)

        let active = try await database.memory.get(.id(root.id), withRuns: true, as: planner)
        #expect(active.runs?.map(\.id) == [broke.record.id])
        #expect(active.openErrors?.map(\.errorType) == ["tool.failed"])
        #expect(try await database.memory.get(root.id, as: planner).runs == nil)

        // Paged: two events a page, and every event once.
        var cursor: String?
        var paged: [TraceEvent] = []
        repeat {
            let page = try await database.memory.trace(root.id, subtree: true, page: PageRequest(limit: 2, cursor: cursor), as: testOperator)
            paged += page.items
            cursor = page.nextCursor
        } while cursor != nil
        #expect(paged == (try await database.memory.trace(root.id, subtree: true, page: PageRequest(limit: 500), as: testOperator).items))

        _ = try await database.memory.delete(root.id, recursive: true, as: planner)
        #expect(try await database.executions.show(broke.record.id, as: planner).contextID == root.id)
        #expect(try await database.executions.list(ExecutionQuery(contextID: child.id), as: testOperator).items.map(\.id) == [inChild.record.id])
    }
}
