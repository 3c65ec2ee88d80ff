import DryadTestSupport
import Foundation
import GRDB
import Testing

@testable import DryadCore

/// The access rules through the core, allow and deny, and the audit entries they leave.
@Suite struct AccessControlTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    func principal(_ name: String, _ kind: Principal.Kind, role: Principal.Role = .member) async throws -> Principal {
        try await database.principals.add(name, type: kind, role: role, as: testOperator).principal(requestID: "req-\(name)")
    }

    func lastAudit() async throws -> AuditEntry {
        try #require(try await database.audit.list(AuditQuery(), page: PageRequest(limit: 1000), as: testOperator).items.last { $0.action != "audit.list" })
    }

    func shellTool(_ name: String) async throws {
        var definition = definition(name)
        definition.executor = .command(CommandEndpoint(argv: ["/bin/echo", "{}"]))
        _ = try await database.tools.register([definition], as: testOperator)
    }

    /// History is kept by name; a tool registered again under a deleted tool's name does not
    /// show its readers the earlier tool's runs (history, stats, single records). Admins see both.
    @Test func aReusedNameDoesNotShowTheDeletedToolsRuns() async throws {
        try await shellTool("s")
        let executor = database.executor(environment: ["PATH": "/usr/bin:/bin"])
        let old = try await executor.execute(.nameOrID("s"), input: .object(["secret": .string("pw")]), as: testOperator).record
        _ = try await database.tools.delete(.nameOrID("s"), as: testOperator)
        try await shellTool("s")
        let fresh = try await executor.execute(.nameOrID("s"), input: .object([:]), as: testOperator).record
        let reader = try await principal("carol", .user)
        _ = try await database.permissions.grant("s", to: .principal("carol"), level: .read, as: testOperator)

        #expect(try await database.executions.history(.nameOrID("s"), as: reader).items.map(\.id) == [fresh.id])
        #expect(try await database.executions.history(try ToolReference("s@1.0.0"), as: reader).items.map(\.id) == [fresh.id])
        #expect(try await database.executions.show(fresh.id, as: reader).id == fresh.id)
        await #expect(throws: DryadError.notFound("execution \(old.id) not found")) { _ = try await database.executions.show(old.id, as: reader) }
        #expect(try await database.executions.stats(.nameOrID("s"), as: reader).map(\.succeeded) == [1])
        #expect(try await database.executions.stats(nil, as: reader).map(\.succeeded) == [1])

        #expect(try await database.executions.history(.nameOrID("s"), as: testOperator).items.count == 2)
        #expect(try await database.executions.stats(.nameOrID("s"), as: testOperator).map(\.succeeded) == [2])
        #expect(try await database.executions.show(old.id, as: testOperator).id == old.id)
    }

    @Test func membersSeeOnlyToolsTheyMayReadAndUnreadableToolsAreNotFound() async throws {
        try await shellTool("public")
        try await shellTool("hidden")
        let agent = try await principal("planner", .agent)
        await #expect(throws: DryadError.notFound("tool public not found")) { _ = try await database.tools.get(.nameOrID("public"), as: agent) }
        #expect(try await database.tools.list(ToolQuery(), as: agent).items.isEmpty)

        _ = try await database.permissions.grant("public", to: .principal("planner"), level: .read, as: testOperator)
        #expect(try await database.tools.list(ToolQuery(), as: agent).items.map(\.name) == ["public"])
        #expect(try await database.tools.get(.nameOrID("public"), as: agent).name == "public")
        await #expect(throws: DryadError.notFound("tool hidden not found")) { _ = try await database.tools.get(.nameOrID("hidden"), as: agent) }
        // The refusal is still audited, with the rule that decided.
        let denial = try await lastAudit()
        #expect(denial.decision == "deny")
        #expect(denial.principal == "planner")
        #expect(denial.action == "tools.get")
        #expect(denial.reason == "no grant")
        #expect(denial.requestID == "req-planner")
    }

    /// `tools list --can execute`: the tools a principal may run, by a grant to it or to its
    /// type, each decided as `perms check` decides it; admins may run everything.
    @Test func listingByLevelShowsWhatThePrincipalMayDo() async throws {
        for name in ["readable", "runnable", "by-type", "writable", "hidden"] { try await shellTool(name) }
        let agent = try await principal("planner", .agent)
        _ = try await database.permissions.grant("readable", to: .principal("planner"), level: .read, as: testOperator)
        _ = try await database.permissions.grant("runnable", to: .principal("planner"), level: .execute, as: testOperator)
        _ = try await database.permissions.grant("by-type", to: .type(.agent), level: .execute, as: testOperator)
        _ = try await database.permissions.grant("writable", to: .principal("planner"), level: .write, as: testOperator)
        func names(_ level: ToolLevel?, as principal: Principal) async throws -> [String] {
            try await database.tools.list(ToolQuery(can: level), as: principal).items.map(\.name)
        }
        #expect(try await names(nil, as: agent) == ["by-type", "readable", "runnable", "writable"])
        #expect(try await names(.read, as: agent) == ["by-type", "readable", "runnable", "writable"])
        #expect(try await names(.execute, as: agent) == ["by-type", "runnable"])
        #expect(try await names(.write, as: agent) == ["writable"])
        for name in try await names(.execute, as: agent) {
            #expect(try await database.permissions.check(name, principal: "planner", level: .execute, as: testOperator).allowed)
        }
        #expect(try await names(.execute, as: testOperator).count == 5)
        // A cursor belongs to its own filter.
        let first = try await database.tools.list(ToolQuery(can: .execute), page: PageRequest(limit: 1), as: agent)
        await #expect(throws: DryadError.self) {
            _ = try await database.tools.list(ToolQuery(), page: PageRequest(limit: 1, cursor: first.nextCursor), as: agent)
        }
        #expect(
            try await database.tools.list(ToolQuery(can: .execute), page: PageRequest(limit: 1, cursor: first.nextCursor), as: agent).items.map(\.name) == [
                "runnable"
            ])
    }

    @Test func typeGrantsApplyToEveryPrincipalOfTheType() async throws {
        try await shellTool("t")
        let a = try await principal("a1", .agent)
        let user = try await principal("u1", .user)
        _ = try await database.permissions.grant("t", to: .type(.agent), level: .execute, as: testOperator)
        #expect(try await database.tools.get(.nameOrID("t"), as: a).name == "t")  // execute implies read
        await #expect(throws: DryadError.notFound("tool t not found")) { _ = try await database.tools.get(.nameOrID("t"), as: user) }
        let decision = try await database.permissions.check("t", principal: "a1", level: .execute, as: testOperator)
        #expect(decision == AccessDecision(allowed: true, reason: "grant execute to type agent"))
        #expect(try await database.permissions.check("t", principal: "u1", level: .read, as: testOperator).allowed == false)
    }

    @Test func executingWithoutAnExecuteGrantIsARecordedDenial() async throws {
        try await shellTool("t")
        let agent = try await principal("planner", .agent)
        _ = try await database.permissions.grant("t", to: .principal("planner"), level: .read, as: testOperator)
        let runner = database.executor(environment: [:])
        let denied = try await runner.execute(.nameOrID("t"), input: .object([:]), as: agent)
        #expect(denied.record.status == .denied)
        #expect(denied.failure?.code == "permission_denied")
        #expect(try await lastAudit().decision == "deny")
        _ = try await database.permissions.grant("t", to: .principal("planner"), level: .execute, as: testOperator)
        let allowed = try await runner.execute(.nameOrID("t"), input: .object([:]), as: agent)
        #expect(allowed.record.status == .succeeded)
        let entry = try await lastAudit()
        #expect(entry.action == "tools.execute")
        #expect(entry.resource == "tool:t@1.0.0")
        #expect(entry.reason == "grant execute to principal planner")
        // Without any grant the tool does not exist for the caller, and nothing runs.
        let stranger = try await principal("other", .agent)
        await #expect(throws: DryadError.notFound("tool t not found")) { _ = try await runner.execute(.nameOrID("t"), input: .object([:]), as: stranger) }
    }

    @Test func writeGrantsAllowUpdatesAndNewVersionsButOnlyAdminsRegisterNewNames() async throws {
        try await shellTool("t")
        let service = try await principal("ci", .service)
        await #expect(throws: DryadError.permissionDenied("ci may not do this: it needs the admin role")) {
            _ = try await database.tools.register([definition("brand_new")], as: service)
        }
        _ = try await database.permissions.grant("t", to: .principal("ci"), level: .read, as: testOperator)
        await #expect(throws: DryadError.permissionDenied("ci may not write tool t@1.0.0")) {
            _ = try await database.tools.update(.nameOrID("t"), ToolChanges(description: "x"), as: service)
        }
        _ = try await database.permissions.grant("t", to: .principal("ci"), level: .write, as: testOperator)
        #expect(try await database.tools.update(.nameOrID("t"), ToolChanges(description: "x"), as: service).revision == 2)
        // A new version keeps what the tool runs; choosing an executor is for admins.
        await #expect(throws: DryadError.permissionDenied("ci may not change what t runs: setting an executor needs the admin role")) {
            _ = try await database.tools.register([definition("t", version: "2.0.0")], as: service)
        }
        var next = definition("t", version: "2.0.0")
        next.executor = .command(CommandEndpoint(argv: ["/bin/echo", "{}"]))
        _ = try await database.tools.register([next], as: service)
        // Only the timeout differs: still the same program, so a write grant suffices.
        var quicker = definition("t", version: "2.1.0")
        quicker.executor = .command(CommandEndpoint(argv: ["/bin/echo", "{}"], timeoutSeconds: 3))
        _ = try await database.tools.register([quicker], as: service)
        _ = try await database.tools.delete(try ToolReference("t@2.1.0"), as: service)
        next.executor = .command(CommandEndpoint(argv: ["/bin/sh", "-c", "cat ~/.local/share/dryad/dryad.db"]))
        for change in [ToolChanges(executor: .replace(try #require(next.executor))), ToolChanges(executor: .remove)] {
            await #expect(throws: DryadError.permissionDenied("ci may not change what t runs: setting an executor needs the admin role")) {
                _ = try await database.tools.update(try ToolReference("t@2.0.0"), change, as: service)
            }
            let refusal = try await lastAudit()
            #expect(refusal.action == "tools.update" && refusal.decision == "deny" && refusal.reason == "executor change requires role admin")
        }
        next.version = "2.0.0"
        await #expect(throws: DryadError.permissionDenied("ci may not change what t runs: setting an executor needs the admin role")) {
            _ = try await database.tools.replace(try ToolReference("t@2.0.0"), with: next, as: service)
        }
        // A timeout is not a choice of program, whichever way it is changed.
        #expect(try await database.tools.update(try ToolReference("t@2.0.0"), ToolChanges(executor: .timeout(5)), as: service).revision == 2)
        var slower = definition("t", version: "2.0.0")
        slower.executor = .command(CommandEndpoint(argv: ["/bin/echo", "{}"], timeoutSeconds: 7))
        #expect(try await database.tools.replace(try ToolReference("t@2.0.0"), with: slower, as: service).revision == 3)
        #expect(
            try await database.tools.update(
                try ToolReference("t@2.0.0"), ToolChanges(executor: .replace(.command(CommandEndpoint(argv: ["/bin/echo", "{}"], timeoutSeconds: 5)))),
                as: service
            ).revision == 4)
        #expect(
            try await database.tools.get(try ToolReference("t@2.0.0"), as: testOperator).executor
                == .command(CommandEndpoint(argv: ["/bin/echo", "{}"], timeoutSeconds: 5)))
        _ = try await database.tools.delete(try ToolReference("t@2.0.0"), as: service)
        await #expect(throws: DryadError.permissionDenied("ci may not do this: it needs the admin role")) {
            _ = try await database.principals.add("x", type: .user, role: .admin, as: service)
        }
        await #expect(throws: DryadError.permissionDenied("ci may not do this: it needs the admin role")) {
            _ = try await database.permissions.grant("t", to: .principal("ci"), level: .execute, as: service)
        }
        await #expect(throws: DryadError.permissionDenied("ci may not do this: it needs the admin role")) {
            _ = try await database.tokens.issue(for: "ci", as: service)
        }
    }

    @Test func agentsReadAndWriteTheirOwnAndSharedMemoryOnly() async throws {
        let owner = try await principal("planner", .agent)
        let critic = try await principal("critic", .agent)
        let user = try await principal("bob", .user)
        let root = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object(["a": .integer(1)])), as: owner)
        let child = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object(["b": .integer(2)]), parentID: root.id), as: owner)
        await #expect(throws: DryadError.permissionDenied("critic may only store contexts it owns")) {
            _ = try await database.memory.store(MemoryDraft(agentID: "planner"), as: critic)
        }
        // A user holds no memory, and is told so rather than that it owns nothing.
        await #expect(throws: DryadError.permissionDenied("bob is a user: only agents hold memory (an admin may store for one)")) {
            _ = try await database.memory.store(MemoryDraft(agentID: "bob"), as: user)
        }
        await #expect(throws: DryadError.notFound("context \(child.id) not found")) { _ = try await database.memory.get(child.id, as: critic) }
        await #expect(throws: DryadError.notFound("context \(child.id) not found")) { _ = try await database.memory.get(child.id, as: user) }
        #expect(try await database.memory.list(MemoryQuery(), as: critic).items.isEmpty)
        #expect(try await database.memory.search("a", MemoryQuery(), as: critic).items.isEmpty)

        // A share on the root reaches its descendants, at its level.
        _ = try await database.memory.share(root.id, with: "critic", access: .read, as: owner)
        #expect(try await database.memory.resolved(child.id, explain: false, as: critic).data == .object(["a": .integer(1), "b": .integer(2)]))
        #expect(Set(try await database.memory.list(MemoryQuery(), as: critic).items.map(\.id)) == [root.id, child.id])
        #expect(try await database.memory.search("a", MemoryQuery(), as: critic).items.map(\.id) == [root.id])
        await #expect(throws: DryadError.permissionDenied("critic may only read context \(child.id)")) {
            _ = try await database.memory.update(child.id, MemoryChange(content: .mergePatch(.object(["c": .integer(3)]))), as: critic)
        }
        _ = try await database.memory.share(root.id, with: "critic", access: .write, as: owner)
        #expect(try await database.memory.update(child.id, MemoryChange(content: .mergePatch(.object(["c": .integer(3)]))), as: critic).version == 2)
        // Only the owner shares and deletes.
        await #expect(throws: DryadError.permissionDenied("only the owner of context \(root.id) may do this")) {
            _ = try await database.memory.share(root.id, with: "bob", access: .read, as: critic)
        }
        await #expect(throws: DryadError.permissionDenied("only the owner of context \(child.id) may do this")) {
            _ = try await database.memory.delete(child.id, recursive: false, as: critic)
        }
        #expect(try await database.memory.delete(child.id, recursive: false, as: owner) == 1)
    }

    @Test func disabledAndUnknownPrincipalsCannotAct() async throws {
        _ = try await principal("gone", .user)
        _ = try await database.principals.disable("gone", as: testOperator)
        await #expect(throws: DryadError.permissionDenied("principal gone does not exist or is disabled")) {
            _ = try await database.principals.acting(as: "gone", requestID: nil)
        }
        await #expect(throws: DryadError.permissionDenied("principal nobody does not exist or is disabled")) {
            _ = try await database.principals.acting(as: "nobody", requestID: nil)
        }
        let entry = try await lastAudit()
        #expect(entry.action == "auth.as")
        #expect(entry.decision == "deny")
    }

    @Test func aFailedAuditWriteRollsTheChangeBack() async throws {
        try await database.pool.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END")
        }
        // The trigger's RAISE reads as a constraint failure; what matters is that the change fails and is rolled back.
        #expect(await errorCode { _ = try await database.tools.register([definition("t")], as: testOperator) } != "no error")
        let count = try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tool_registry") }
        #expect(count == 0)
    }
}
