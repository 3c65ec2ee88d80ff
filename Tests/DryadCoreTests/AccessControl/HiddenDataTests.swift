import DryadTestSupport
import Foundation
import Testing

@testable import DryadCore

/// The review's rule, performed: a trace, listing, count or message never shows a principal
/// what the API would hide from it. Each test compares what a caller learns about something
/// hidden with what it learns about something that does not exist.
@Suite struct HiddenDataTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    func principal(_ name: String, _ kind: Principal.Kind = .agent) async throws -> Principal {
        try await database.principals.add(name, type: kind, role: .member, as: testOperator).principal(requestID: "req-\(name)")
    }

    func store(_ agent: Principal, _ data: JSONValue = .object([:]), parent: String? = nil) async throws -> MemoryContext {
        try await database.memory.store(MemoryDraft(agentID: agent.name, data: data, parentID: parent), as: agent)
    }

    /// A child another agent stores under a write-shared context is not the owner's to read;
    /// the cursor of the owner's page (readable base64) named it when it was the last one skipped.
    @Test func aChildrenCursorNeverNamesAHiddenChild() async throws {
        let (owner, sharee) = (try await principal("planner"), try await principal("critic"))
        let root = try await store(owner)
        _ = try await database.memory.share(root.id, with: "critic", access: .write, as: owner)
        let first = try await store(owner, parent: root.id)
        let hidden = try await store(sharee, parent: root.id)
        let last = try await store(owner, parent: root.id)

        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await database.memory.children(root.id, recursive: false, page: PageRequest(limit: 1, cursor: cursor), as: owner)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
            if let cursor {
                // The listing's scope, then the sort key of the last context shown.
                let key = try Cursor.decode(try Cursor.decode(cursor, fields: 2)[1], fields: 3)
                #expect(!key.contains(hidden.id))
            }
        } while cursor != nil && seen.count < 5
        #expect(seen == [first.id, last.id])
    }

    /// bm25 weighs a word by how many contexts hold it, readable or not; a member's scores
    /// would change as other agents stored text, so members get the order and no score.
    @Test func searchScoresAreForAdminsOnly() async throws {
        let reader = try await principal("reader")
        _ = try await store(reader, .object(["note": .string("zebra crossing")]))
        let other = try await principal("other")
        for _ in 0..<3 { _ = try await store(other, .object(["note": .string("zebra")])) }
        let mine = try await database.memory.search("zebra", MemoryQuery(), as: reader).items
        #expect(mine.count == 1 && mine[0].score == nil && mine[0].snippet != nil)
        #expect(try await database.memory.search("zebra", MemoryQuery(), as: testOperator).items.allSatisfy { $0.score != nil })
    }

    /// The review's agent saw `unresolved_errors: 2` on its context (logged by a sharee and an
    /// admin), an empty `errors list --context` and 404 resolving them. Error logs are their
    /// writer's and, when tied to a context, its writers' (the owner, write sharees); the count
    /// on a context counts exactly what the caller may list.
    @Test func errorsOnAContextAreItsWritersToSeeAndResolve() async throws {
        let (owner, sharee) = (try await principal("planner"), try await principal("critic"))
        let context = try await store(owner)
        _ = try await database.memory.share(context.id, with: "critic", access: .read, as: owner)
        let byAdmin = try await database.errors.log(type: "timeout", message: "slow", contextID: context.id, as: testOperator)
        let bySharee = try await database.errors.log(type: "timeout", message: "slower", contextID: context.id, as: sharee)

        let listed = try await database.errors.list(ErrorQuery(contextID: context.id), as: owner).items.map(\.id)
        #expect(Set(listed) == [byAdmin.id, bySharee.id])
        #expect(try await database.memory.get(context.id, as: owner).unresolvedErrors == 2)
        #expect(try await database.memory.resolved(context.id, explain: false, as: owner).unresolvedErrors == 2)
        #expect(try await database.errors.show(byAdmin.id, as: owner).errorMessage == "slow")
        #expect(try await database.errors.resolve(byAdmin.id, note: "raised the timeout", as: owner).fixApplied)

        // A read sharee is no writer: it sees its own log only, and the count says so.
        #expect(try await database.errors.list(ErrorQuery(contextID: context.id), as: sharee).items.map(\.id) == [bySharee.id])
        #expect(try await database.memory.get(context.id, as: sharee).unresolvedErrors == 1)
        await #expect(throws: DryadError.notFound("error \(byAdmin.id) not found")) { _ = try await database.errors.show(byAdmin.id, as: sharee) }
        // Another agent sees nothing of them.
        let stranger = try await principal("stranger")
        #expect(try await database.errors.list(ErrorQuery(), as: stranger).items.isEmpty)
        await #expect(throws: DryadError.notFound("error \(bySharee.id) not found")) {
            _ = try await database.errors.resolve(bySharee.id, note: nil, as: stranger)
        }
    }

    /// A sharee's write is charged to the owner; the refusal names the quota, not the owner's
    /// figures (only an admin reads those).
    @Test func aShareesQuotaRefusalHidesTheOwnersFigures() async throws {
        let (owner, sharee) = (try await principal("planner"), try await principal("critic"))
        _ = try await database.principals.setQuotas("planner", [.memoryBytes: 1_500], as: testOperator)
        let context = try await store(owner)
        _ = try await database.memory.share(context.id, with: "critic", access: .write, as: owner)
        let large = JSONValue.object(["text": .string(String(repeating: "a", count: 2_000))])
        await #expect(throws: DryadError.quotaExceeded("planner's memory_bytes quota would be exceeded")) {
            _ = try await database.memory.update(context.id, MemoryChange(content: .replace(large)), as: sharee)
        }
        await #expect(throws: DryadError.quotaExceeded("planner would hold 2013 bytes of memory, over its memory_bytes quota of 1500")) {
            _ = try await database.memory.update(context.id, MemoryChange(content: .replace(large)), as: owner)
        }
    }

    /// A parent the caller may not read answered "context P not found", a missing one "parent
    /// context P not found": a way to test whether another agent's context exists.
    @Test func aHiddenParentAnswersAsAMissingOne() async throws {
        let (owner, other) = (try await principal("planner"), try await principal("critic"))
        let hidden = try await store(owner)
        let missing = UUID().uuidString.lowercased()
        await #expect(throws: DryadError.notFound("parent context \(hidden.id) not found")) { _ = try await store(other, parent: hidden.id) }
        await #expect(throws: DryadError.notFound("parent context \(missing) not found")) { _ = try await store(other, parent: missing) }
    }

    /// A member registering a name that a hidden tool holds got "not found", a free name "needs
    /// the admin role"; versions and ids of a hidden tool answered with its stored name.
    @Test func hiddenToolsAnswerAsMissingOnes() async throws {
        let member = try await principal("ann")
        let hidden = try await database.tools.register([definition("hidden")], as: testOperator)[0]
        let asHidden = await #expect(throws: DryadError.self) { _ = try await database.tools.register([definition("hidden", version: "2.0.0")], as: member) }
        let asFree = await #expect(throws: DryadError.self) { _ = try await database.tools.register([definition("nosuch")], as: member) }
        #expect(asHidden?.code == "permission_denied" && asHidden?.message == asFree?.message.replacingOccurrences(of: "nosuch", with: "hidden"))

        for reference in ["hidden@1.0.0", "hidden@9.9.9", hidden.id, "hidden"] {
            await #expect(throws: DryadError.notFound("tool \(reference) not found")) {
                _ = try await database.tools.get(try ToolReference(reference), as: member)
            }
        }
    }

    /// An expired context keeps its key until a purge removes it; the refusal says so rather
    /// than naming a context that `get` calls not found.
    @Test func anExpiredKeySaysItIsExpired() async throws {
        let clock = MemoryTestClock()
        let database = try DryadDatabase(path: folder.path + "/clock.db", clock: { clock.now })
        let owner = try await database.principals.add("planner", type: .agent, role: .member, as: testOperator).principal(requestID: "r")
        _ = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object([:]), ttl: 1, key: "plan"), as: owner)
        clock.advance(5)
        await #expect(throws: DryadError.conflict("planner has an expired context with key plan, kept until the next purge")) {
            _ = try await database.memory.store(MemoryDraft(agentID: "planner", data: .object([:]), key: "plan"), as: owner)
        }
        _ = try await database.memory.purge(as: testOperator)
        #expect(try await database.memory.store(MemoryDraft(agentID: "planner", data: .object([:]), key: "plan"), as: owner).key == "plan")
    }
}
