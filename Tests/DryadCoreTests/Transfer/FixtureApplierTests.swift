import DryadTestSupport
import Foundation
import GRDB
import Testing

@testable import DryadCore

@Suite struct FixtureApplierTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    /// Documents from JSON texts, numbered from 1 as a file's would be.
    func documents(_ texts: [String], source: String = "fixtures.yaml") throws -> [FixtureDocument] {
        try texts.enumerated().map { FixtureDocument(source: source, index: $0 + 1, json: try JSONValue.parse($1)) }
    }

    static let sample = [
        #"{"kind":"Principal","name":"alice","type":"user","role":"member"}"#,
        #"{"kind":"Principal","name":"planner","type":"agent"}"#,
        #"{"kind":"Tool","name":"echo","version":"1.0.0","description":"Echo","executor":{"kind":"command","argv":["/bin/cat"]},"tags":["demo"]}"#,
        #"{"kind":"Permission","tool":"echo","principal":"alice","level":"execute"}"#,
        #"{"kind":"Permission","tool":"echo","principal_type":"agent","level":"read"}"#,
        #"{"kind":"MemoryContext","key":"planner/root","agent_id":"planner","context_type":"plan","data":{"goal":"ship"}}"#,
        #"{"kind":"MemoryContext","key":"planner/step-1","parent_key":"planner/root","agent_id":"planner","data":{"step":1},"tags":["t"]}"#,
    ]

    func counts() async throws -> [Int] {
        try await database.read { db in
            try ["principal", "tool_version", "tool_permission", "memory_context", "memory_version", "audit_log"].map { table in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1
            }
        }
    }

    @Test func applyingTwiceCreatesThenChangesNothing() async throws {
        let first = try await database.fixtures.apply(try documents(Self.sample), dryRun: false, as: testOperator)
        #expect(first.changes.map(\.action) == Array(repeating: .create, count: 7))
        #expect(
            first.changes.map(\.name) == [
                "alice", "planner", "echo@1.0.0", "echo -> alice (execute)", "echo -> type agent (read)",
                "planner/root", "planner/step-1",
            ])
        let afterFirst = try await counts()
        #expect(Array(afterFirst.prefix(5)) == [2, 1, 2, 2, 2])

        let second = try await database.fixtures.apply(try documents(Self.sample), dryRun: false, as: testOperator)
        #expect(second.changes.allSatisfy { $0.action == .unchanged })
        let afterSecond = try await counts()
        #expect(Array(afterSecond.prefix(5)) == Array(afterFirst.prefix(5)))
        // The second apply adds only its own summary entry to the trail.
        #expect(afterSecond[5] == afterFirst[5] + 1)

        // The child really hangs under the root, and the grant works.
        let child = try await database.memory.list(MemoryQuery(agentID: "planner"), as: testOperator).items.first { $0.key == "planner/step-1" }
        let root = try await database.memory.list(MemoryQuery(agentID: "planner"), as: testOperator).items.first { $0.key == "planner/root" }
        #expect(child?.parentID == root?.id)
        let alice = try await database.principals.acting(as: "alice", requestID: nil)
        #expect(try await database.permissions.check("echo", principal: "alice", level: .execute, as: testOperator).allowed)
        _ = try await database.tools.get(.nameOrID("echo"), as: alice)
    }

    @Test func changedFieldsAreUpdatedAndNamed() async throws {
        _ = try await database.fixtures.apply(try documents(Self.sample), dryRun: false, as: testOperator)
        var edited = Self.sample
        edited[0] = #"{"kind":"Principal","name":"alice","type":"user","role":"admin"}"#
        edited[2] =
            #"{"kind":"Tool","name":"echo","version":"1.0.0","description":"Echo it back","executor":{"kind":"command","argv":["/bin/cat"]},"tags":["demo"]}"#
        edited[5] = #"{"kind":"MemoryContext","key":"planner/root","agent_id":"planner","context_type":"plan","data":{"goal":"launch"}}"#
        let plan = try await database.fixtures.apply(try documents(edited), dryRun: false, as: testOperator)
        #expect(plan.changes.map(\.action) == [.update, .unchanged, .update, .unchanged, .unchanged, .update, .unchanged])
        #expect(plan.changes[0].fields == ["role"])
        #expect(plan.changes[2].fields == ["description"])
        #expect(plan.changes[5].fields == ["data"])
        let tool = try await database.tools.get(.nameOrID("echo"), as: testOperator)
        #expect(tool.description == "Echo it back")
        #expect(tool.revision == 2)
        let root = try await database.memory.list(MemoryQuery(agentID: "planner", contextType: "plan"), as: testOperator).items[0]
        #expect(root.version == 2)
        #expect(root.data == .object(["goal": .string("launch")]))
        #expect(try await database.principals.show("alice", as: testOperator).role == .admin)
    }

    @Test func dryRunPlansExactlyAndWritesNothing() async throws {
        let before = try await counts()
        let plan = try await database.fixtures.apply(try documents(Self.sample), dryRun: true, as: testOperator)
        #expect(plan.dryRun)
        // Later documents see earlier ones (the permission finds the tool, the child its parent).
        #expect(plan.changes.map(\.action) == Array(repeating: .create, count: 7))
        #expect(try await counts() == before)
        let real = try await database.fixtures.apply(try documents(Self.sample), dryRun: false, as: testOperator)
        #expect(real.changes == plan.changes)
    }

    @Test func aFailingDocumentRollsEverythingBack() async throws {
        let before = try await counts()
        var broken = Self.sample
        broken.append(#"{"kind":"Permission","tool":"nosuch","principal":"alice","level":"read"}"#)
        let error = await #expect(throws: DryadError.self) {
            _ = try await database.fixtures.apply(try documents(broken), dryRun: false, as: testOperator)
        }
        #expect(error?.message == "fixtures.yaml: document 8: tool: nosuch is not registered (nor defined earlier in the file)")
        // Nothing of the file stays; the trail gains the failed attempt.
        var after = try await counts()
        #expect(after.removeLast() == before.last.map { $0 + 1 })
        #expect(after == Array(before.dropLast()))
        let last = try await database.audit.list(AuditQuery(), page: PageRequest(limit: 1000), as: testOperator).items.last
        #expect(last?.decision == "deny" && last?.reason.hasPrefix("failed: not_found: fixtures.yaml: document 8") == true)
    }

    @Test(arguments: [
        (#"{"name":"x"}"#, "fixtures.yaml: document 1: kind: required, one of Tool, Principal, Permission, MemoryContext"),
        (#"{"kind":"Gadget"}"#, #"fixtures.yaml: document 1: kind: "Gadget" is not one of Tool, Principal, Permission, MemoryContext"#),
        (#"{"kind":"Tool","name":"t"}"#, "fixtures.yaml: document 1: description: required"),
        (#"{"kind":"Principal","name":"p","type":"robot"}"#, "fixtures.yaml: document 1: type: expected one of user, agent, service"),
        (#"{"kind":"Principal","name":"p","type":"user","colour":"red"}"#, "fixtures.yaml: document 1: colour: unknown field"),
        (#"{"kind":"Permission","tool":"t","level":"read"}"#, "fixtures.yaml: document 1: principal: give exactly one of principal and principal_type"),
        (#"{"kind":"MemoryContext","agent_id":"a"}"#, "fixtures.yaml: document 1: key: required"),
        (
            #"{"kind":"Principal","name":"p","type":"user","rate":1,"burst":1e20}"#,
            "fixtures.yaml: document 1: burst: must be a whole number between 1 and 1000000"
        ),
        (
            #"{"kind":"MemoryContext","key":"a b","agent_id":"a"}"#,
            #"fixtures.yaml: document 1: key: "a b" must be 1-128 characters of A-Z a-z 0-9 _ - . : / @"#
        ),
        (#"{"kind":"MemoryContext","key":"k","agent_id":"a","data":[1]}"#, "fixtures.yaml: document 1: data: expected a JSON object, got array"),
        (
            #"{"kind":"MemoryContext","key":"k","agent_id":"a","parent_key":"missing"}"#,
            "fixtures.yaml: document 1: parent_key: no context has key missing (define the parent earlier in the file)"
        ),
    ])
    func badDocumentsNameTheirFileDocumentAndField(text: String, message: String) async throws {
        let error = await #expect(throws: DryadError.self) {
            _ = try await database.fixtures.apply(try documents([text]), dryRun: false, as: testOperator)
        }
        #expect(error?.message == message)
    }

    /// `apply` dropped `shared_with` without a word, and refused a child's own JSON over
    /// `parent_id`: shares are created and made to match, and a context written out by
    /// `memory get -o json` (with the kind added) applies again unchanged.
    @Test func sharesAndAContextsOwnJSONApply() async throws {
        var sample = Self.sample
        sample.append(#"{"kind":"Principal","name":"critic","type":"agent"}"#)
        sample[5] =
            #"{"kind":"MemoryContext","key":"planner/root","agent_id":"planner","data":{"goal":"ship"},"shared_with":[{"agent_id":"critic","access":"write"}]}"#
        _ = try await database.fixtures.apply(try documents(sample), dryRun: false, as: testOperator)
        let root = try #require(try await database.memory.list(MemoryQuery(key: "planner/root"), as: testOperator).items.first)
        #expect(root.sharedWith == [MemoryShare(agentID: "critic", access: .write)])

        // Changed shares are an update naming the field; the listed set is the whole set.
        sample[5] = #"{"kind":"MemoryContext","key":"planner/root","agent_id":"planner","data":{"goal":"ship"},"shared_with":[]}"#
        let unshared = try await database.fixtures.apply(try documents(sample), dryRun: false, as: testOperator)
        #expect(unshared.changes.contains(FixtureChange(kind: "MemoryContext", name: "planner/root", action: .update, fields: ["shared_with"])))
        #expect(try await database.memory.get(root.id, as: testOperator).sharedWith.isEmpty)

        // A child's JSON as `memory get -o json` writes it, parent_id and all, changes nothing.
        let child = try #require(try await database.memory.list(MemoryQuery(key: "planner/step-1"), as: testOperator).items.first)
        var json = try #require(try JSONValue.parse(try JSONEncoder().encode(child)).objectValue)
        json["kind"] = .string("MemoryContext")
        let again = try await database.fixtures.apply(try documents([JSONValue.object(json).canonicalText]), dryRun: false, as: testOperator)
        #expect(again.changes.map(\.action) == [.unchanged])
        json["parent_id"] = .string(root.id == child.parentID ? UUID().uuidString.lowercased() : root.id)
        let moved = await #expect(throws: DryadError.self) {
            _ = try await database.fixtures.apply(try documents([JSONValue.object(json).canonicalText]), dryRun: false, as: testOperator)
        }
        #expect(moved?.code == "not_found")
        json["shared_with"] = .array([.object(["agent_id": .string("critic"), "access": .string("admin")])])
        let badAccess = await #expect(throws: DryadError.self) {
            _ = try await database.fixtures.apply(try documents([JSONValue.object(json).canonicalText]), dryRun: false, as: testOperator)
        }
        #expect(badAccess?.message == "fixtures.yaml: document 1: shared_with[0].access: expected read or write")
    }

    @Test func immutableFieldsAreRefused() async throws {
        _ = try await database.fixtures.apply(try documents(Self.sample), dryRun: false, as: testOperator)
        let schema = #"{"kind":"Tool","name":"echo","version":"1.0.0","description":"Echo","input_schema":{"type":"string"}}"#
        let other = #"{"kind":"MemoryContext","key":"other","agent_id":"planner"}"#
        let moved = #"{"kind":"MemoryContext","key":"planner/step-1","parent_key":"other","agent_id":"planner","data":{"step":1},"tags":["t"]}"#
        for (texts, expected) in [
            ([schema], "fixtures.yaml: document 1: input_schema: differs from registered echo@1.0.0 and cannot change; register a new version"),
            ([other, moved], "fixtures.yaml: document 2: parent_key: context planner/step-1 has another parent and cannot move"),
        ] {
            let error = await #expect(throws: DryadError.self) {
                _ = try await database.fixtures.apply(try documents(texts), dryRun: false, as: testOperator)
            }
            #expect(error?.message == expected)
            #expect(error?.code == "conflict")
        }
    }

    /// A field the document leaves out is not reset on update: re-applying the fixture that
    /// created a principal does not re-enable it, nor reactivate a deprecated tool.
    @Test func omittedFieldsAreLeftAsTheyAre() async throws {
        _ = try await database.fixtures.apply(try documents(Self.sample), dryRun: false, as: testOperator)
        _ = try await database.principals.disable("alice", as: testOperator)
        _ = try await database.principals.setLimit("alice", rate: 5, burst: 10, as: testOperator)
        _ = try await database.tools.update(.nameOrID("echo"), ToolChanges(status: .deprecated), as: testOperator)
        let again = try await database.fixtures.apply(try documents(Self.sample), dryRun: false, as: testOperator)
        #expect(again.changes.allSatisfy { $0.action == .unchanged })
        let alice = try await database.principals.show("alice", as: testOperator)
        #expect(alice.disabled)
        #expect(alice.rate == 5)
        #expect(try await database.tools.get(.nameOrID("echo"), as: testOperator).status == .deprecated)
        // Given explicitly, they change.
        let enable = #"{"kind":"Principal","name":"alice","type":"user","disabled":false}"#
        let plan = try await database.fixtures.apply(try documents([enable]), dryRun: false, as: testOperator)
        #expect(plan.changes.first?.fields == ["disabled"])
    }

    @Test func anExpiredKeyIsAClearConflict() async throws {
        _ = try await database.memory.store(MemoryDraft(agentID: "planner", ttl: 0.001, key: "gone"), as: testOperator)
        try await Task.sleep(for: .milliseconds(20))
        let error = await #expect(throws: DryadError.self) {
            _ = try await database.fixtures.apply(
                try documents([#"{"kind":"MemoryContext","key":"gone","agent_id":"planner"}"#]),
                dryRun: true, as: testOperator)
        }
        #expect(error == .conflict("fixtures.yaml: document 1: key: context gone has expired; run `dryad memory purge` before applying it again"))
    }

    @Test func onlyAdminsApplyAndDenialsAreAudited() async throws {
        _ = try await database.principals.add("bob", type: .user, role: .member, as: testOperator)
        let bob = try await database.principals.acting(as: "bob", requestID: nil)
        for dryRun in [true, false] {
            await #expect(throws: DryadError.permissionDenied("bob may not do this: it needs the admin role")) {
                _ = try await database.fixtures.apply(try documents(Self.sample), dryRun: dryRun, as: bob)
            }
        }
        let denials = try await database.audit.list(AuditQuery(principal: "bob", decision: "deny"), as: testOperator)
        #expect(denials.items.map(\.action) == ["apply", "apply"])
        #expect(try await database.principals.list(as: testOperator).map(\.name) == ["bob"])
    }
}
