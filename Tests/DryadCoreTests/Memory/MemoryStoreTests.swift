import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// Storing and listing contexts: defaults, limits, chains, filters and pages.
@Suite struct MemoryStoreTests: MemoryTesting {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    let database: DryadDatabase

    init() throws { (folder, clock, database) = try makeMemoryFixture() }

    // MARK: - Store

    @Test func storeAppliesTheDefaults() async throws {
        let context = try await store()
        #expect(context.id.count == 36)
        #expect(context.agentID == "planner-7")
        #expect(context.contextType == "general")
        #expect(context.data == .object([:]))
        #expect(context.version == 1)
        #expect(context.parentID == nil)
        #expect(context.tags.isEmpty)
        #expect(context.expiresAt == nil)
        #expect(context.sharedWith.isEmpty)
        #expect(context.createdAt == Timestamp.format(clock.now))
        #expect(context.updatedAt == context.createdAt)

        var fetched = try await memory.get(context.id, as: testOperator)
        #expect(fetched.unresolvedErrors == 0)
        fetched.unresolvedErrors = nil
        #expect(fetched == context)
    }

    @Test func storeKeepsTypeTagsDataAndTTL() async throws {
        let context = try await store(
            #"{"goal": "ship", "facts": [1, 2], "nested": {"x": null}}"#,
            agent: "critic@team.example", type: "task:plan/v1", tags: ["q3", "team.a"], ttl: 90)
        #expect(context.agentID == "critic@team.example")
        #expect(context.contextType == "task:plan/v1")
        #expect(context.tags == ["q3", "team.a"])
        #expect(context.data == (try parse(#"{"goal": "ship", "facts": [1, 2], "nested": {"x": null}}"#)))
        #expect(context.expiresAt == Timestamp.format(clock.now.addingTimeInterval(90)))
    }

    @Test func storeRequiresAnExistingParent() async throws {
        let missing = UUID().uuidString.lowercased()
        let error = await failure { try await store(parent: missing) }
        #expect(error?.code == "not_found")
        #expect(error?.message.contains(missing) == true)
        #expect(try await listIDs().isEmpty)
    }

    @Test func storeRefusesDataThatIsNotAnObject() async throws {
        for data in [#"[1, 2]"#, #""text""#, "42", "null", "true"] {
            let error = await failure { try await store(data) }
            #expect(error?.code == "invalid_input", "data \(data)")
        }
        #expect(try await listIDs().isEmpty)
    }

    @Test func storeRefusesBadAgentTypeTagsAndTTL() async throws {
        let badAgents = ["", "has space", "semi;colon", String(repeating: "a", count: 129), "ünïcode"]
        for agent in badAgents {
            let error = await failure { try await store(agent: agent) }
            #expect(error?.code == "invalid_input", "agent \(agent)")
        }
        let badTypes = ["", "bad type", "quote\"", String(repeating: "t", count: 65)]
        for type in badTypes {
            let error = await failure { try await store(type: type) }
            #expect(error?.code == "invalid_input", "type \(type)")
        }
        let badTags: [[String]] = [[""], ["ok", "bad tag"], ["comma,tag"], (0..<33).map { "t\($0)" }]
        for tags in badTags {
            let error = await failure { try await store(tags: tags) }
            #expect(error?.code == "invalid_input", "tags \(tags)")
        }
        for ttl in [0, -5, TimeInterval.nan] {
            let error = await failure { try await store(ttl: ttl) }
            #expect(error?.code == "invalid_input", "ttl \(ttl)")
        }
        #expect(try await listIDs().isEmpty)

        // The limits themselves are accepted.
        try await store(
            agent: String(repeating: "a", count: 128), type: String(repeating: "t", count: 64),
            tags: (0..<32).map { "t\($0)" })
    }

    @Test func storeAndUpdateRefuseOversizedData() async throws {
        let small = try DryadDatabase(path: folder.path + "/d.db", limits: .init(memoryMaxBytes: 100)).memory
        // {"k":"…"} is 8 bytes plus the string.
        let exactly100 = JSONValue.object(["k": .string(String(repeating: "x", count: 92))])
        let over100 = JSONValue.object(["k": .string(String(repeating: "x", count: 93))])
        #expect(exactly100.canonicalText.utf8.count == 100)

        let stored = try await small.store(MemoryDraft(agentID: "a", data: exactly100), as: testOperator)
        let error = await failure { try await small.store(MemoryDraft(agentID: "a", data: over100), as: testOperator) }
        #expect(error?.code == "invalid_input")
        #expect(error?.message.contains("101") == true)

        // An update that grows past the limit, by replacement or by a merge patch, is refused too.
        let replaced = await failure { try await small.update(stored.id, MemoryChange(content: .replace(over100)), as: testOperator) }
        #expect(replaced?.code == "invalid_input")
        let patched = await failure {
            try await small.update(stored.id, MemoryChange(content: .mergePatch(.object(["more": .string("x")]))), as: testOperator)
        }
        #expect(patched?.code == "invalid_input")
        #expect(try await memory.get(stored.id, as: testOperator).version == 1)
        #expect(try await listIDs() == [stored.id])
    }

    @Test func aChainHoldsAtMost256Contexts() async throws {
        var ids = [try await store(#"{"level": 0}"#).id]
        for level in 1..<256 {
            ids.append(try await store(#"{"level": \#(level)}"#, parent: ids.last, tick: false).id)
        }
        #expect(ids.count == 256)

        let error = await failure { try await store(parent: ids.last) }
        #expect(error?.code == "invalid_input")
        #expect(error?.message.contains("256") == true)

        // The deepest context still resolves and lists its whole ancestry.
        let deepest = try await memory.resolved(ids[255], explain: true, as: testOperator)
        #expect(deepest.data == .object(["level": .integer(255)]))
        #expect(deepest.provenance == [Provenance(pointer: "/level", contextID: ids[255])])
        let parents = try await memory.parents(ids[255], page: PageRequest(limit: 1000), as: testOperator).items
        #expect(parents.map(\.id) == Array(ids.dropLast().reversed()))
        #expect(try await memory.children(ids[0], recursive: true, page: PageRequest(limit: 1000), as: testOperator).items.count == 255)
        #expect(try await listIDs().count == 256)
    }

    // MARK: - List

    @Test func listIsNewestFirstAndFiltered() async throws {
        let root = try await store(agent: "a1", type: "task", tags: ["q3"])
        let c2 = try await store(agent: "a2", type: "task", parent: root.id, tags: ["q3", "q4"])
        let c3 = try await store(agent: "a1", type: "note", parent: root.id)
        let c4 = try await store(agent: "a2", type: "note", tags: ["q4"])

        #expect(try await listIDs() == [c4.id, c3.id, c2.id, root.id])
        #expect(try await listIDs(MemoryQuery(agentID: "a1")) == [c3.id, root.id])
        #expect(try await listIDs(MemoryQuery(contextType: "note")) == [c4.id, c3.id])
        #expect(try await listIDs(MemoryQuery(tags: ["q4"])) == [c4.id, c2.id])
        #expect(try await listIDs(MemoryQuery(tags: ["q"])).isEmpty, "tags match whole")
        #expect(try await listIDs(MemoryQuery(tags: ["q3", "q4"])) == [c2.id], "several tags must all match")
        #expect(try await listIDs(MemoryQuery(tags: ["q4", "nomatch"])).isEmpty)
        #expect(await errorCode { _ = try await store(agent: "a1", type: "task", tags: ["q3", "q3"]) } == "invalid_input")
        #expect(try await listIDs(MemoryQuery(parentID: root.id)) == [c3.id, c2.id])
        let since = try #require(Timestamp.parse(c3.createdAt))
        #expect(try await listIDs(MemoryQuery(since: since)) == [c4.id, c3.id])
        #expect(try await listIDs(MemoryQuery(agentID: "a2", contextType: "task", tags: ["q3"])) == [c2.id])
        #expect(try await listIDs(MemoryQuery(agentID: "nobody")).isEmpty)
    }

    @Test func listPagesAreDisjointAndComplete() async throws {
        // Three created at distinct times and four at the same instant (ordered by id).
        var ids: [String] = []
        for _ in 0..<3 { ids.append(try await store().id) }
        clock.advance(1)
        for _ in 0..<4 { ids.append(try await store(tick: false).id) }
        let everything = try await listIDs()
        #expect(Set(everything) == Set(ids))
        #expect(Array(everything.suffix(3)) == Array(ids.prefix(3).reversed()))

        for limit in [1, 2, 3, 7, 8] {
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await memory.list(MemoryQuery(), page: PageRequest(limit: limit, cursor: cursor), as: testOperator)
                #expect(page.items.count <= limit)
                seen += page.items.map(\.id)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 20
            #expect(seen == everything, "limit \(limit)")
            #expect(pages == (7 + limit - 1) / limit, "limit \(limit)")
        }

        for request in [PageRequest(limit: 0), PageRequest(limit: 1001), PageRequest(cursor: "garbage"), PageRequest(cursor: "")] {
            let error = await failure { try await memory.list(MemoryQuery(), page: request, as: testOperator) }
            #expect(error?.code == "invalid_input", "\(request)")
        }
    }
}
