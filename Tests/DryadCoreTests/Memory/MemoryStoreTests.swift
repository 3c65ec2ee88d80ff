import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// A clock the tests move by hand, so expiry and ordering need no sleeps.
final class MemoryTestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    func set(_ date: Date) { current.withLock { $0 = date } }
}

@Suite struct MemoryStoreTests {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    let database: DryadDatabase
    var memory: MemoryStore { database.memory }

    static let otherOperator = Principal(name: "local:other", kind: .user, role: .admin)

    init() throws {
        folder = try TemporaryFolder()
        let clock = MemoryTestClock()
        self.clock = clock
        database = try DryadDatabase(path: folder.path + "/d.db", clock: { clock.now })
    }

    // MARK: - Helpers

    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    /// Stores a context; the clock first moves on one second (unless `tick` is false) so
    /// creation order is also time order.
    @discardableResult
    func store(
        _ data: String = "{}", agent: String = "planner-7", type: String = MemoryDraft.defaultType,
        parent: String? = nil, tags: [String] = [], ttl: TimeInterval? = nil, tick: Bool = true
    ) async throws -> MemoryContext {
        if tick { clock.advance(1) }
        let draft = MemoryDraft(agentID: agent, contextType: type, data: try parse(data), parentID: parent, tags: tags, ttl: ttl)
        return try await memory.store(draft, as: testOperator)
    }

    /// The DryadError `body` throws, or nil when it succeeds.
    func failure<T>(_ body: () async throws -> T) async -> DryadError? {
        do {
            _ = try await body()
            return nil
        } catch let error as DryadError {
            return error
        } catch {
            Issue.record("unexpected non-DryadError \(error)")
            return nil
        }
    }

    func search(_ text: String, _ query: MemoryQuery = MemoryQuery(), limit: Int = 100) async throws -> [MemoryContext] {
        try await memory.search(text, query, page: PageRequest(limit: limit), as: testOperator).items
    }

    func searchIDs(_ text: String, _ query: MemoryQuery = MemoryQuery()) async throws -> Set<String> {
        Set(try await search(text, query).map(\.id))
    }

    func listIDs(_ query: MemoryQuery = MemoryQuery()) async throws -> [String] {
        try await memory.list(query, page: PageRequest(limit: 1000), as: testOperator).items.map(\.id)
    }

    func isVisible(_ id: String) async -> Bool {
        await failure { try await memory.get(id, as: testOperator) } == nil
    }

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
        let parents = try await memory.parents(ids[255], as: testOperator)
        #expect(parents.map(\.id) == Array(ids.dropLast().reversed()))
        #expect(try await memory.children(ids[0], recursive: true, as: testOperator).count == 255)
        #expect(try await listIDs().count == 256)
    }

    // MARK: - Resolved data and provenance

    @Test func resolvedMergesTheChainFromTheRootDown() async throws {
        // Given three levels where later levels merge into, replace and remove earlier values,
        let root = try await store(
            #"""
            {"style": {"lang": "en", "tone": "formal", "fonts": ["a", "b"]}, "limit": 10, "drop": "me", "keep": true,
             "list": [1, 2, 3]}
            """#)
        let middle = try await store(
            #"""
            {"style": {"tone": "casual", "fonts": ["c"]}, "limit": {"max": 5}, "drop": null, "list": []}
            """#, parent: root.id)
        let leaf = try await store(
            #"""
            {"style": {"lang": null, "extra": {"deep": 1}}, "limit": {"min": 1}, "new": [1, {"x": null}]}
            """#, parent: middle.id)

        // when the leaf is resolved,
        let resolved = try await memory.resolved(leaf.id, explain: false, as: testOperator)

        // then objects merge key by key, arrays and scalars are replaced and null removes a key.
        #expect(
            resolved.data
                == (try parse(
                    #"""
                    {"style": {"tone": "casual", "fonts": ["c"], "extra": {"deep": 1}}, "limit": {"max": 5, "min": 1},
                     "keep": true, "list": [], "new": [1, {"x": null}]}
                    """#)))
        #expect(resolved.provenance == nil)
        #expect(resolved.id == leaf.id)
        #expect(resolved.version == leaf.version)
        #expect(resolved.unresolvedErrors == 0)

        // The middle resolves without the leaf, and plain get still shows only the leaf's own data.
        #expect(
            try await memory.resolved(middle.id, explain: false, as: testOperator).data
                == (try parse(
                    #"""
                    {"style": {"lang": "en", "tone": "casual", "fonts": ["c"]}, "limit": {"max": 5}, "keep": true, "list": []}
                    """#)))
        #expect(try await memory.get(leaf.id, as: testOperator).data == leaf.data)
        #expect(try await memory.resolved(root.id, explain: false, as: testOperator).data == root.data)
    }

    @Test func resolvedFollowsUpdatesOfAncestors() async throws {
        let root = try await store(#"{"mode": "draft", "owner": "ann"}"#)
        let leaf = try await store(#"{"step": 1}"#, parent: root.id)
        _ = try await memory.update(root.id, MemoryChange(content: .mergePatch(try parse(#"{"mode": "final"}"#))), as: testOperator)
        #expect(
            try await memory.resolved(leaf.id, explain: false, as: testOperator).data
                == (try parse(#"{"mode": "final", "owner": "ann", "step": 1}"#)))
    }

    @Test func explainNamesTheSourceOfEveryLeaf() async throws {
        // Given a root, a middle and a leaf with escaped keys, empty objects and type changes,
        let root = try await store(
            #"""
            {"a/b": 1, "t~x": {"y": "r"}, "obj": {"k": 1}, "scalar": 5, "empty": {}, "nested": {"p": 1, "q": 2},
             "gone": 1, "later": {"z": 1}, "arr": [0]}
            """#)
        let middle = try await store(
            #"""
            {"obj": 7, "scalar": {"now": "object"}, "nested": {"q": 3}, "gone": null, "fresh": {"deep": {"er": true}}}
            """#, parent: root.id)
        let leaf = try await store(
            #"""
            {"later": {"z": null}, "arr": [1, {"x": 1}], "nested": {"r": {}}}
            """#, parent: middle.id)

        // when it is resolved with explain,
        let resolved = try await memory.resolved(leaf.id, explain: true, as: testOperator)

        // then every leaf pointer names the context it came from.
        #expect(
            resolved.data
                == (try parse(
                    #"""
                    {"a/b": 1, "t~x": {"y": "r"}, "obj": 7, "scalar": {"now": "object"}, "empty": {},
                     "nested": {"p": 1, "q": 3, "r": {}}, "later": {}, "arr": [1, {"x": 1}], "fresh": {"deep": {"er": true}}}
                    """#)))
        // Without explain the merge skips the bookkeeping; the data must not differ.
        #expect(try await memory.resolved(leaf.id, explain: false, as: testOperator).data == resolved.data)
        let provenance = try #require(resolved.provenance)
        let sources = Dictionary(provenance.map { ($0.pointer, $0.contextID) }, uniquingKeysWith: { first, _ in first })
        #expect(provenance.count == sources.count, "no pointer listed twice")
        #expect(
            sources == [
                "/a~1b": root.id,  // "/" escaped as ~1
                "/t~0x/y": root.id,  // "~" escaped as ~0, nested key
                "/obj": middle.id,  // an object replaced by a scalar: no /obj/k any more
                "/scalar/now": middle.id,  // a scalar replaced by an object
                "/empty": root.id,  // an empty object is a leaf
                "/nested/p": root.id,
                "/nested/q": middle.id,
                "/nested/r": leaf.id,  // an empty object added deeper down
                "/later": leaf.id,  // emptied by the leaf's null
                "/arr": leaf.id,  // arrays are leaves, replaced whole
                "/fresh/deep/er": middle.id,
            ])
    }

    @Test func explainTracksAnObjectTurnedScalarTurnedObject() async throws {
        let root = try await store(#"{"v": {"a": 1, "b": 2}}"#)
        let middle = try await store(#"{"v": "flat"}"#, parent: root.id)
        let leaf = try await store(#"{"v": {"c": 3}}"#, parent: middle.id)
        let fourth = try await store(#"{"v": {"d": 4}}"#, parent: leaf.id)

        let resolved = try await memory.resolved(fourth.id, explain: true, as: testOperator)
        #expect(resolved.data == (try parse(#"{"v": {"c": 3, "d": 4}}"#)))
        #expect(
            resolved.provenance == [
                Provenance(pointer: "/v/c", contextID: leaf.id),
                Provenance(pointer: "/v/d", contextID: fourth.id),
            ])

        let middleView = try await memory.resolved(middle.id, explain: true, as: testOperator)
        #expect(middleView.provenance == [Provenance(pointer: "/v", contextID: middle.id)])
    }

    @Test func resolvedOfAnUnknownContextIsNotFound() async throws {
        let error = await failure { try await memory.resolved(UUID().uuidString.lowercased(), explain: true, as: testOperator) }
        #expect(error?.code == "not_found")
    }

    // MARK: - Update and history

    @Test func everyUpdateWritesANewVersionAndHistoryKeepsThemAll() async throws {
        // Given a stored context,
        let original = try await store(#"{"a": 1, "nested": {"x": 1, "y": [1, 2]}}"#, tags: ["v1"])

        // when it is replaced by another principal and then patched,
        clock.advance(5)
        let replaced = try await memory.update(
            original.id, MemoryChange(content: .replace(try parse(#"{"b": 2, "nested": {"x": 1, "y": [1, 2]}}"#))),
            as: Self.otherOperator)
        clock.advance(5)
        let patched = try await memory.update(
            original.id, MemoryChange(content: .mergePatch(try parse(#"{"b": null, "c": 3, "nested": {"x": 9, "y": [3]}}"#))),
            as: testOperator)

        // then each update bumps the version,
        #expect(replaced.version == 2)
        #expect(replaced.data == (try parse(#"{"b": 2, "nested": {"x": 1, "y": [1, 2]}}"#)))
        #expect(replaced.merged == false)
        #expect(patched.version == 3)
        #expect(patched.data == (try parse(#"{"c": 3, "nested": {"x": 9, "y": [3]}}"#)))
        #expect(patched.updatedAt == Timestamp.format(clock.now))
        #expect(patched.createdAt == original.createdAt)
        #expect(patched.tags == ["v1"])

        // and the history keeps every version with its data, principal and time.
        let history = try await memory.history(original.id, as: testOperator)
        #expect(history.map(\.version) == [1, 2, 3])
        #expect(history.map(\.data) == [original.data, replaced.data, patched.data])
        #expect(history.map(\.principal) == [testOperator.name, Self.otherOperator.name, testOperator.name])
        #expect(history.map(\.merged) == [false, false, false])
        #expect(history.map(\.updatedAt) == [original.createdAt, replaced.updatedAt, patched.updatedAt])
        #expect(history.allSatisfy { $0.id == original.id })
        #expect(try await memory.get(original.id, as: testOperator).version == 3)
    }

    @Test func tagsAndTTLUpdatesWriteVersionsToo() async throws {
        let context = try await store(#"{"a": 1}"#, tags: ["old"])

        clock.advance(10)
        let retagged = try await memory.update(context.id, MemoryChange(tags: ["new", "more"]), as: testOperator)
        #expect(retagged.version == 2)
        #expect(retagged.tags == ["new", "more"])
        #expect(retagged.data == context.data)

        let withTTL = try await memory.update(context.id, MemoryChange(ttl: 3600), as: testOperator)
        #expect(withTTL.version == 3)
        #expect(withTTL.expiresAt == Timestamp.format(clock.now.addingTimeInterval(3600)))
        #expect(withTTL.tags == ["new", "more"])

        let cleared = try await memory.update(context.id, MemoryChange(tags: []), as: testOperator)
        #expect(cleared.tags.isEmpty)
        #expect(cleared.expiresAt == withTTL.expiresAt, "an update without ttl keeps the expiry")

        let history = try await memory.history(context.id, as: testOperator)
        #expect(history.map(\.tags) == [["old"], ["new", "more"], ["new", "more"], []])
        #expect(history.map(\.version) == [1, 2, 3, 4])
    }

    @Test func refusesUpdatesThatChangeNothingOrAreInvalid() async throws {
        let context = try await store(#"{"a": 1}"#)
        let cases: [(MemoryChange, String)] = [
            (MemoryChange(), "invalid_input"),
            (MemoryChange(content: .replace(.array([]))), "invalid_input"),
            (MemoryChange(content: .replace(.string("x"))), "invalid_input"),
            (MemoryChange(content: .mergePatch(.array([]))), "invalid_input"),
            (MemoryChange(content: .mergePatch(.null)), "invalid_input"),
            (MemoryChange(tags: ["bad tag"]), "invalid_input"),
            (MemoryChange(ttl: 0), "invalid_input"),
            (MemoryChange(ttl: -1), "invalid_input"),
        ]
        for (change, code) in cases {
            let error = await failure { try await memory.update(context.id, change, as: testOperator) }
            #expect(error?.code == code, "\(change)")
        }
        let nothing = await failure { try await memory.update(context.id, MemoryChange(), as: testOperator) }
        #expect(nothing?.message.contains("nothing to update") == true)
        let unknown = await failure {
            try await memory.update(UUID().uuidString.lowercased(), MemoryChange(tags: ["t"]), as: testOperator)
        }
        #expect(unknown?.code == "not_found")
        #expect(try await memory.history(context.id, as: testOperator).count == 1)
    }

    // MARK: - Conflicts

    @Test func aStaleVersionIsRejectedNamingTheCurrentOne() async throws {
        let context = try await store(#"{"a": 1}"#)
        _ = try await memory.update(context.id, MemoryChange(content: .replace(try parse(#"{"a": 2}"#))), as: testOperator)

        let error = await failure {
            try await memory.update(context.id, MemoryChange(content: .replace(try parse(#"{"a": 3}"#)), ifVersion: 1), as: testOperator)
        }
        #expect(error?.code == "conflict")
        #expect(error?.message.contains("version 2") == true, "\(error?.message ?? "")")

        // Nothing was written.
        let current = try await memory.get(context.id, as: testOperator)
        #expect(current.version == 2)
        #expect(current.data == .object(["a": .integer(2)]))
        #expect(try await memory.history(context.id, as: testOperator).count == 2)

        // The current version is accepted.
        let accepted = try await memory.update(
            context.id, MemoryChange(content: .replace(try parse(#"{"a": 3}"#)), ifVersion: 2), as: testOperator)
        #expect(accepted.version == 3)
        #expect(accepted.merged == false)
    }

    @Test func mergeCombinesChangesToDifferentPaths() async throws {
        // Given version 1, and someone else's version 2 changing /a and /cfg/x,
        let context = try await store(#"{"a": 1, "b": 1, "cfg": {"x": 1, "y": 1}, "list": [1]}"#)
        _ = try await memory.update(
            context.id, MemoryChange(content: .mergePatch(try parse(#"{"a": 2, "cfg": {"x": 2}}"#))),
            as: Self.otherOperator)

        // when a patch made against version 1 changes /b, /cfg/y and /list with merge,
        let merged = try await memory.update(
            context.id,
            MemoryChange(
                content: .mergePatch(try parse(#"{"b": 3, "cfg": {"y": 3}, "list": [1, 2], "new": true}"#)),
                ifVersion: 1, onConflict: .merge),
            as: testOperator)

        // then both sides' changes are kept in a new version marked merged.
        #expect(merged.data == (try parse(#"{"a": 2, "b": 3, "cfg": {"x": 2, "y": 3}, "list": [1, 2], "new": true}"#)))
        #expect(merged.version == 3)
        #expect(merged.merged == true)
        let history = try await memory.history(context.id, as: testOperator)
        #expect(history.map(\.merged) == [false, false, true])
        #expect(history.last?.data == merged.data)
        #expect(history.last?.principal == testOperator.name)
    }

    @Test func mergeOfAReplacementKeepsBothSidesRemovals() async throws {
        let context = try await store(#"{"keep": 1, "theirs": 1, "ours": 1}"#)
        _ = try await memory.update(context.id, MemoryChange(content: .replace(try parse(#"{"keep": 1, "ours": 1}"#))), as: testOperator)
        let merged = try await memory.update(
            context.id, MemoryChange(content: .replace(try parse(#"{"keep": 1, "theirs": 1}"#)), ifVersion: 1, onConflict: .merge),
            as: testOperator)
        #expect(merged.data == (try parse(#"{"keep": 1}"#)))
        #expect(merged.merged == true)
    }

    @Test func changesToTheSamePathConflictAndWriteNothing() async throws {
        // Given two sides changing /a, /cfg/x and /list differently (and /b only on one side),
        let context = try await store(#"{"a": 1, "b": 1, "cfg": {"x": 1}, "list": [1]}"#)
        let theirs = try await memory.update(
            context.id, MemoryChange(content: .mergePatch(try parse(#"{"a": 2, "cfg": {"x": "two"}, "list": [2]}"#))), as: testOperator)

        // when ours is merged,
        let error = await failure {
            try await memory.update(
                context.id,
                MemoryChange(
                    content: .mergePatch(try parse(#"{"a": 3, "b": 3, "cfg": {"x": {"deep": 3}}, "list": [3]}"#)),
                    ifVersion: 1, onConflict: .merge),
                as: testOperator)
        }

        // then it is a conflict listing each pointer with both values,
        #expect(error?.code == "conflict")
        let message = error?.message ?? ""
        #expect(message.contains(#"/a (current: 2, yours: 3)"#), "\(message)")
        #expect(message.contains(#"/cfg/x (current: "two", yours: {"deep":3})"#), "\(message)")
        #expect(message.contains(#"/list (current: [2], yours: [3])"#), "\(message)")
        #expect(!message.contains("/b "), "/b changed on one side only")
        #expect(message.contains("version 1") && message.contains("now 2"), "\(message)")

        // and nothing is written.
        let current = try await memory.get(context.id, as: testOperator)
        #expect(current.version == 2)
        #expect(current.data == theirs.data)
        #expect(try await memory.history(context.id, as: testOperator).count == 2)
    }

    @Test func aRemovalAgainstAChangeIsAConflict() async throws {
        let context = try await store(#"{"a": 1, "o": {"k": 1}}"#)
        _ = try await memory.update(
            context.id, MemoryChange(content: .mergePatch(try parse(#"{"a": null, "o": {"k": 2}}"#))),
            as: testOperator)
        let error = await failure {
            try await memory.update(
                context.id, MemoryChange(content: .mergePatch(try parse(#"{"a": 5, "o": null}"#)), ifVersion: 1, onConflict: .merge),
                as: testOperator)
        }
        #expect(error?.code == "conflict")
        #expect(error?.message.contains("/a (current: removed, yours: 5)") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(#"/o (current: {"k":2}, yours: removed)"#) == true, "\(error?.message ?? "")")
        #expect(try await memory.get(context.id, as: testOperator).version == 2)
    }

    @Test func theSameChangeOnBothSidesIsNotAConflict() async throws {
        let context = try await store(#"{"a": 1, "cfg": {"x": 1}, "gone": true}"#)
        _ = try await memory.update(
            context.id, MemoryChange(content: .mergePatch(try parse(#"{"a": 2, "cfg": {"x": [1, 2]}, "gone": null}"#))),
            as: testOperator)
        let merged = try await memory.update(
            context.id,
            MemoryChange(content: .mergePatch(try parse(#"{"a": 2, "cfg": {"x": [1, 2]}, "gone": null}"#)), ifVersion: 1, onConflict: .merge),
            as: testOperator)
        #expect(merged.data == (try parse(#"{"a": 2, "cfg": {"x": [1, 2]}}"#)))
        #expect(merged.version == 3)
        #expect(merged.merged == true)
    }

    @Test func nestedObjectsMergeKeyByKey() async throws {
        let context = try await store(#"{"cfg": {"db": {"host": "a", "port": 1}, "ui": {"theme": "light"}}}"#)
        _ = try await memory.update(
            context.id, MemoryChange(content: .mergePatch(try parse(#"{"cfg": {"db": {"host": "b"}}}"#))),
            as: testOperator)
        let merged = try await memory.update(
            context.id,
            MemoryChange(
                content: .mergePatch(try parse(#"{"cfg": {"db": {"port": 2}, "ui": {"font": "mono"}}}"#)),
                ifVersion: 1, onConflict: .merge),
            as: testOperator)
        #expect(merged.data == (try parse(#"{"cfg": {"db": {"host": "b", "port": 2}, "ui": {"theme": "light", "font": "mono"}}}"#)))
    }

    @Test func mergeFromAVersionThatNeverExistedIsAConflict() async throws {
        let context = try await store(#"{"a": 1}"#)
        let error = await failure {
            try await memory.update(
                context.id, MemoryChange(content: .replace(try parse(#"{"a": 2}"#)), ifVersion: 7, onConflict: .merge),
                as: testOperator)
        }
        #expect(error?.code == "conflict")
        #expect(try await memory.get(context.id, as: testOperator).version == 1)
    }

    // MARK: - Search

    @Test func searchCoversValuesKeysTypeAndTags() async throws {
        let byValue = try await store(#"{"note": "the quarterly roadmap", "n": 42, "list": ["glacier"]}"#)
        let byNestedKey = try await store(#"{"outer": {"blueprint": 1}}"#)
        let byType = try await store(#"{"note": "x"}"#, type: "retrospective")
        let byTag = try await store(#"{"note": "y"}"#, tags: ["urgent"])

        #expect(try await searchIDs("roadmap") == [byValue.id])
        #expect(try await searchIDs("glacier") == [byValue.id], "strings inside arrays are indexed")
        #expect(try await searchIDs("blueprint") == [byNestedKey.id], "nested keys are indexed")
        #expect(try await searchIDs("retrospective") == [byType.id])
        #expect(try await searchIDs("urgent") == [byTag.id])
        #expect(try await searchIDs("42").isEmpty, "numbers are not text")
        #expect(try await searchIDs("ROADMAP") == [byValue.id], "case-insensitive")
        #expect(try await searchIDs("note") == [byValue.id, byType.id, byTag.id])
    }

    /// Every term reaches FTS5 quoted, so no query text may end in an SQLite error: random mixes
    /// of FTS5 operators, quotes, punctuation and odd Unicode either search or are invalid input.
    @Test func noQueryTextIsAStorageError() async throws {
        _ = try await store(#"{"note": "alpha beta gamma", "k": "naïve café ☃ 東京"}"#)
        let pieces = [
            "alpha", "\"", "*", "\"al\"*", "a*b", "NEAR(", ")", "(", "-", "^", ":", "note:alpha", "{a b}:c", "+", "AND",
            "OR", "NOT", "''", "'", ";", "--", "/*", "\\", "é", "e\u{301}", "東", "☃", "🧪", "\u{200B}", "\u{FEFF}", "\u{7F}",
            "\u{1}", "\u{0}", "\"\u{301}", "a\"\u{301}", "\u{301}", "\t", "_", "%", "a\"b", "\"\"", "*\"", "beta*", "\u{2028}", "ß", "İ", "\u{FFFD}", "0",
            "1.5e3",
        ]
        var random = SplitMix64(seed: 8)
        for _ in 0..<400 {
            let text = (0..<Int(random.next() % 6 + 1)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }
                .joined(separator: random.next() % 3 == 0 ? "" : " ")
            do {
                _ = try await memory.search(text, MemoryQuery(), as: testOperator)
            } catch {
                #expect(error.code == "invalid_input", "\(text.debugDescription): \(error)")
            }
        }
    }

    @Test func searchRanksMoreMentionsHigherAndReportsScoreAndSnippet() async throws {
        let once = try await store(#"{"note": "apple banana cherry plum"}"#)
        let thrice = try await store(#"{"note": "apple apple apple plum"}"#)
        _ = try await store(#"{"note": "banana cherry plum pear"}"#)

        let results = try await search("apple")
        #expect(results.map(\.id) == [thrice.id, once.id])
        let scores = results.compactMap(\.score)
        #expect(scores.count == 2)
        #expect(scores[0] > scores[1])
        #expect(results.allSatisfy { $0.snippet?.contains("[apple]") == true }, "\(results.map(\.snippet))")
    }

    @Test func searchAndsWordsAndSupportsPhrasesAndPrefixes() async throws {
        let redFox = try await store(#"{"text": "the quick red fox jumps"}"#)
        let foxRed = try await store(#"{"text": "a fox that is red"}"#)
        let blueFox = try await store(#"{"text": "the blue fox"}"#)
        let foxtrot = try await store(#"{"text": "dance the foxtrot"}"#)

        #expect(try await searchIDs("red fox") == [redFox.id, foxRed.id])
        #expect(try await searchIDs("fox red") == [redFox.id, foxRed.id], "word order does not matter")
        #expect(try await searchIDs("red fox blue").isEmpty, "every word must match")
        #expect(try await searchIDs("\"red fox\"") == [redFox.id], "a phrase matches in order")
        #expect(try await searchIDs("\"fox red\"").isEmpty)
        #expect(try await searchIDs("fox") == [redFox.id, foxRed.id, blueFox.id])
        #expect(try await searchIDs("fox*") == [redFox.id, foxRed.id, blueFox.id, foxtrot.id])
        #expect(try await searchIDs("foxt*") == [foxtrot.id])
        #expect(try await searchIDs("\"quick re\"*") == [redFox.id], "a phrase may end in a prefix")
        #expect(try await searchIDs("blue \"the blue\"") == [blueFox.id])
    }

    @Test func searchFiltersCombineWithTheMatch() async throws {
        let c1 = try await store(#"{"t": "deploy plan"}"#, agent: "a1", type: "task", tags: ["q3"])
        let c2 = try await store(#"{"t": "deploy plan"}"#, agent: "a2", type: "task", tags: ["q3"])
        let c3 = try await store(#"{"t": "deploy plan"}"#, agent: "a1", type: "note", tags: ["q4"])
        let c4 = try await store(#"{"t": "deploy plan"}"#, agent: "a1", type: "task", tags: ["q4"])
        _ = try await store(#"{"t": "unrelated"}"#, agent: "a1", type: "task", tags: ["q3"])
        let since = try #require(Timestamp.parse(c3.createdAt))

        #expect(try await searchIDs("deploy", MemoryQuery(agentID: "a1")) == [c1.id, c3.id, c4.id])
        #expect(try await searchIDs("deploy", MemoryQuery(contextType: "task")) == [c1.id, c2.id, c4.id])
        #expect(try await searchIDs("deploy", MemoryQuery(tags: ["q3"])) == [c1.id, c2.id])
        #expect(try await searchIDs("deploy", MemoryQuery(since: since)) == [c3.id, c4.id])
        #expect(try await searchIDs("deploy", MemoryQuery(agentID: "a1", contextType: "task", tags: ["q4"])) == [c4.id])
        #expect(try await searchIDs("deploy", MemoryQuery(agentID: "a2", since: since)).isEmpty)
        #expect(try await searchIDs("deploy", MemoryQuery(parentID: c1.id)).isEmpty)
    }

    @Test func theIndexFollowsUpdatesAndDeletes() async throws {
        let context = try await store(#"{"note": "alpha"}"#, tags: ["first"])
        #expect(try await searchIDs("alpha") == [context.id])

        _ = try await memory.update(context.id, MemoryChange(content: .replace(try parse(#"{"note": "beta"}"#))), as: testOperator)
        #expect(try await searchIDs("alpha").isEmpty, "old words no longer match")
        #expect(try await searchIDs("beta") == [context.id])

        _ = try await memory.update(
            context.id, MemoryChange(content: .mergePatch(try parse(#"{"gamma": {"delta": "epsilon"}}"#))),
            as: testOperator)
        #expect(try await searchIDs("gamma delta epsilon beta") == [context.id])

        _ = try await memory.update(context.id, MemoryChange(tags: ["second"]), as: testOperator)
        #expect(try await searchIDs("first").isEmpty)
        #expect(try await searchIDs("second") == [context.id])

        // A failed (conflicting) update leaves the index as it was.
        _ = await failure {
            try await memory.update(
                context.id, MemoryChange(content: .replace(try parse(#"{"note": "zeta"}"#)), ifVersion: 1),
                as: testOperator)
        }
        #expect(try await searchIDs("zeta").isEmpty)
        #expect(try await searchIDs("beta") == [context.id])

        #expect(try await memory.delete(context.id, recursive: false, as: testOperator) == 1)
        #expect(try await searchIDs("beta").isEmpty)
        #expect(try await searchIDs("second").isEmpty)
    }

    @Test func punctuationAndQuerySyntaxAreNeverStorageErrors() async throws {
        let article = try await store(#"{"note": "a state-of-the-art design, near a b or c"}"#)
        #expect(try await searchIDs("state-of-the-art") == [article.id])

        let hostile = [
            "'; DROP TABLE x; --", "NEAR(a b)", "a OR", "OR", "AND", "NOT", "*", "\"", "\"\"", "**", "a*b*",
            "(", ")", "note:design", "body:design", "^design", "-design", "+", "'", "%", "{a b}", "a NOT b",
            "design\"", "\"design", "a \"b", "\u{0}", "memory_fts", "rowid = 1", "* OR 1=1", "\\",
        ]
        for query in hostile {
            let error = await failure { try await search(query) }
            #expect(error == nil || error?.code == "invalid_input", "\(query): \(String(describing: error))")
        }
        // Quoted FTS keywords are plain words.
        #expect(try await searchIDs("NEAR(a b)") == [article.id])
        #expect(try await searchIDs("a OR") == [article.id])
        #expect(try await searchIDs("^design") == [article.id])
        // Nothing was dropped or broken.
        #expect(try await searchIDs("design") == [article.id])
        #expect(try await listIDs() == [article.id])
        // An empty query and an unterminated quote are refused as invalid input.
        for query in ["", "   ", "*", "\"unterminated"] {
            let error = await failure { try await search(query) }
            #expect(error?.code == "invalid_input", "\(query)")
        }
    }

    @Test func searchPagesAreDisjointAndComplete() async throws {
        var ids: Set<String> = []
        for index in 0..<7 {
            ids.insert(try await store(#"{"note": "common word \#(String(repeating: "common ", count: index))"}"#).id)
        }
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await memory.search("common", MemoryQuery(), page: PageRequest(limit: 3, cursor: cursor), as: testOperator)
            #expect(page.items.count <= 3)
            #expect(page.items.allSatisfy { $0.score != nil && $0.snippet != nil })
            seen += page.items.map(\.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(seen.count == 7)
        #expect(Set(seen) == ids)
        // Across pages, the order is still best first.
        #expect(seen == (try await search("common")).map(\.id))

        let bad = await failure {
            try await memory.search("common", MemoryQuery(), page: PageRequest(limit: 3, cursor: "not-a-cursor"), as: testOperator)
        }
        #expect(bad?.code == "invalid_input")
        let badLimit = await failure { try await memory.search("common", MemoryQuery(), page: PageRequest(limit: 0), as: testOperator) }
        #expect(badLimit?.code == "invalid_input")
    }

    @Test func searchPagesThroughEqualScoresAndFiltersInRankOrder() async throws {
        // Given nine contexts that score exactly alike, and better-scoring ones of another agent
        // that the filter must skip while SQLite walks the matches best first,
        var twins: Set<String> = []
        for _ in 0..<9 { twins.insert(try await store(#"{"note": "twin entry"}"#, agent: "a2").id) }
        for _ in 0..<5 { _ = try await store(#"{"note": "twin twin twin"}"#, agent: "a1") }

        // when the tied ones are paged two at a time,
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await memory.search("twin", MemoryQuery(agentID: "a2"), page: PageRequest(limit: 2, cursor: cursor), as: testOperator)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil && seen.count < 20

        // then every one comes exactly once, and unfiltered the better scores come first.
        #expect(seen.count == 9)
        #expect(Set(seen) == twins)
        let all = try await search("twin")
        #expect(all.count == 14)
        #expect(Set(all.prefix(5).map(\.agentID)) == ["a1"])
        #expect(zip(all, all.dropFirst()).allSatisfy { ($0.score ?? 0) >= ($1.score ?? 0) })
    }

    @Test func searchSnippetIsPresentWhenTheDataHasNoText() async throws {
        // A match on the type of a context whose data holds no keys or strings.
        let context = try await store("{}", type: "checkpoint", tags: ["nightly"])
        let found = try await search("checkpoint")
        #expect(found.map(\.id) == [context.id])
        #expect(found.first?.score != nil)
        #expect(found.first?.snippet == "[checkpoint]", "search items always carry a snippet")
    }

    @Test func aPunctuationOnlyWordDoesNotHideMatches() async throws {
        let context = try await store(#"{"note": "'; DROP TABLE x; --"}"#)
        #expect(try await searchIDs("DROP TABLE x") == [context.id])
        let whole = try await searchIDs("'; DROP TABLE x; --")
        let dashed = try await searchIDs("DROP - TABLE")
        #expect(whole == [context.id])
        #expect(dashed == [context.id])
    }

    // MARK: - Trees

    @Test func parentsAreListedNearestFirst() async throws {
        let root = try await store(#"{"l": 0}"#)
        let middle = try await store(#"{"l": 1}"#, parent: root.id)
        let leaf = try await store(#"{"l": 2}"#, parent: middle.id)
        _ = try await memory.share(root.id, with: "critic-2", access: .read, as: testOperator)

        let parents = try await memory.parents(leaf.id, as: testOperator)
        #expect(parents.map(\.id) == [middle.id, root.id])
        #expect(parents.last?.sharedWith == [MemoryShare(agentID: "critic-2", access: .read)])
        #expect(try await memory.parents(root.id, as: testOperator).isEmpty)
        #expect(leaf.parentID == middle.id)
        let error = await failure { try await memory.parents(UUID().uuidString.lowercased(), as: testOperator) }
        #expect(error?.code == "not_found")
    }

    @Test func childrenAreDirectOrTheWholeSubtreeBreadthFirst() async throws {
        // Created depth first: a, a1, a1x, b, b1.
        let root = try await store()
        let a = try await store(parent: root.id)
        let a1 = try await store(parent: a.id)
        let a1x = try await store(parent: a1.id)
        let b = try await store(parent: root.id)
        let b1 = try await store(parent: b.id)

        #expect(try await memory.children(root.id, recursive: false, as: testOperator).map(\.id) == [a.id, b.id])
        #expect(try await memory.children(root.id, recursive: true, as: testOperator).map(\.id) == [a.id, b.id, a1.id, b1.id, a1x.id])
        #expect(try await memory.children(a.id, recursive: true, as: testOperator).map(\.id) == [a1.id, a1x.id])
        #expect(try await memory.children(a1x.id, recursive: true, as: testOperator).isEmpty)
        #expect(try await listIDs(MemoryQuery(parentID: root.id)) == [b.id, a.id])
        let error = await failure { try await memory.children(UUID().uuidString.lowercased(), recursive: false, as: testOperator) }
        #expect(error?.code == "not_found")
    }

    @Test func deleteNeedsRecursiveForChildrenAndRemovesTheSubtree() async throws {
        let root = try await store(#"{"note": "subtree root"}"#)
        let child = try await store(#"{"note": "subtree child"}"#, parent: root.id)
        let grandchild = try await store(#"{"note": "subtree grandchild"}"#, parent: child.id)
        let sibling = try await store(#"{"note": "subtree sibling"}"#, parent: root.id)
        let other = try await store(#"{"note": "subtree elsewhere"}"#)
        _ = try await memory.share(child.id, with: "critic-2", access: .write, as: testOperator)
        _ = try await memory.update(child.id, MemoryChange(tags: ["x"]), as: testOperator)

        // Refused while there are children, and nothing is deleted.
        let refused = await failure { try await memory.delete(root.id, recursive: false, as: testOperator) }
        #expect(refused?.code == "conflict")
        #expect(refused?.message.contains("2 child contexts") == true, "\(refused?.message ?? "")")
        #expect(try await searchIDs("subtree").count == 5)

        // A leaf goes alone.
        #expect(try await memory.delete(grandchild.id, recursive: false, as: testOperator) == 1)

        // Recursive deletes the whole subtree and reports how many.
        #expect(try await memory.delete(root.id, recursive: true, as: testOperator) == 3)
        for id in [root.id, child.id, grandchild.id, sibling.id] {
            #expect(!(await isVisible(id)))
            let history = await failure { try await memory.history(id, as: testOperator) }
            #expect(history?.code == "not_found")
        }
        #expect(try await searchIDs("subtree") == [other.id])
        #expect(try await listIDs() == [other.id])
        let again = await failure { try await memory.delete(root.id, recursive: true, as: testOperator) }
        #expect(again?.code == "not_found")
    }

    @Test func deleteIgnoresExpiredChildren() async throws {
        let parent = try await store()
        let child = try await store(parent: parent.id, ttl: 10)
        clock.advance(11)
        #expect(!(await isVisible(child.id)))
        #expect(try await memory.children(parent.id, recursive: true, as: testOperator).isEmpty)
        _ = try await memory.delete(parent.id, recursive: false, as: testOperator)
        #expect(!(await isVisible(parent.id)))
    }

    // MARK: - Sharing

    @Test func shareAndUnshare() async throws {
        let context = try await store(agent: "planner-7")

        let shared = try await memory.share(context.id, with: "critic-2", access: .read, as: testOperator)
        #expect(shared.sharedWith == [MemoryShare(agentID: "critic-2", access: .read)])

        // Sharing again changes the access rather than adding a second entry.
        let upgraded = try await memory.share(context.id, with: "critic-2", access: .write, as: testOperator)
        #expect(upgraded.sharedWith == [MemoryShare(agentID: "critic-2", access: .write)])

        _ = try await memory.share(context.id, with: "auditor", access: .read, as: testOperator)
        let fetched = try await memory.get(context.id, as: testOperator)
        #expect(fetched.sharedWith == [MemoryShare(agentID: "auditor", access: .read), MemoryShare(agentID: "critic-2", access: .write)])
        #expect(try await memory.list(MemoryQuery(), as: testOperator).items.first?.sharedWith.count == 2)

        let unshared = try await memory.unshare(context.id, with: "critic-2", as: testOperator)
        #expect(unshared.sharedWith == [MemoryShare(agentID: "auditor", access: .read)])

        let notShared = await failure { try await memory.unshare(context.id, with: "critic-2", as: testOperator) }
        #expect(notShared?.code == "not_found")
        let owner = await failure { try await memory.share(context.id, with: "planner-7", access: .read, as: testOperator) }
        #expect(owner?.code == "invalid_input")
        let badAgent = await failure { try await memory.share(context.id, with: "bad agent", access: .read, as: testOperator) }
        #expect(badAgent?.code == "invalid_input")
        let unknown = await failure {
            try await memory.share(UUID().uuidString.lowercased(), with: "critic-2", access: .read, as: testOperator)
        }
        #expect(unknown?.code == "not_found")
        #expect(try await memory.get(context.id, as: testOperator).sharedWith == [MemoryShare(agentID: "auditor", access: .read)])
    }

    // MARK: - Expiry

    @Test func anExpiredContextAndItsDescendantsAreInvisible() async throws {
        // Given a parent expiring in a minute, its children (one with a longer ttl of its own), and a survivor,
        let parent = try await store(#"{"note": "ephemeral"}"#, ttl: 60)
        let child = try await store(#"{"note": "ephemeral child"}"#, parent: parent.id)
        let longLived = try await store(#"{"note": "ephemeral grandchild"}"#, parent: child.id, ttl: 3600)
        let survivor = try await store(#"{"note": "ephemeral survivor"}"#)
        _ = try await database.errors.log(type: "E", message: "m", contextID: child.id, as: testOperator)
        #expect(child.expiresAt == nil, "the child's own expiry is unchanged")
        let expiresAt = try #require(parent.expiresAt)
        let expiry = try #require(Timestamp.parse(expiresAt))

        // Just before the expiry everything is visible,
        clock.set(expiry.addingTimeInterval(-0.001))
        for id in [parent.id, child.id, longLived.id, survivor.id] { #expect(await isVisible(id)) }
        #expect(try await searchIDs("ephemeral").count == 4)

        // and at the expiry the parent and its whole subtree are gone from every read.
        clock.set(expiry)
        for id in [parent.id, child.id, longLived.id] {
            #expect(!(await isVisible(id)))
            let reads: [DryadError?] = [
                await failure { try await memory.resolved(id, explain: true, as: testOperator) },
                await failure { try await memory.history(id, as: testOperator) },
                await failure { try await memory.parents(id, as: testOperator) },
                await failure { try await memory.children(id, recursive: true, as: testOperator) },
                await failure { try await memory.update(id, MemoryChange(tags: ["t"]), as: testOperator) },
                await failure { try await memory.share(id, with: "other", access: .read, as: testOperator) },
                await failure { try await memory.delete(id, recursive: true, as: testOperator) },
                await failure { try await store(parent: id, tick: false) },
                await failure { try await database.errors.log(type: "E", message: "m", contextID: id, as: testOperator) },
            ]
            #expect(reads.allSatisfy { $0?.code == "not_found" }, "\(id): \(reads.map { $0?.code })")
        }
        #expect(try await listIDs() == [survivor.id])
        #expect(try await listIDs(MemoryQuery(parentID: parent.id)).isEmpty)
        #expect(try await searchIDs("ephemeral") == [survivor.id])
        // The error log outlives visibility; it is only detached when the context is purged.
        #expect(try await database.errors.list(ErrorQuery(contextID: child.id), as: testOperator).items.count == 1)
    }

    @Test func purgeRemovesAndCountsExpiredContexts() async throws {
        let parent = try await store(#"{"note": "purgeable"}"#, ttl: 60)
        let child = try await store(#"{"note": "purgeable"}"#, parent: parent.id)
        _ = try await store(#"{"note": "purgeable"}"#, parent: child.id, ttl: 7200)
        let lone = try await store(#"{"note": "purgeable"}"#, ttl: 30)
        let keeper = try await store(#"{"note": "purgeable"}"#, ttl: 3600)
        let forever = try await store(#"{"note": "purgeable"}"#)
        let error = try await database.errors.log(type: "E", message: "m", contextID: lone.id, as: testOperator)

        #expect(try await memory.purge(as: testOperator) == 0, "nothing has expired yet")
        clock.advance(120)
        #expect(try await memory.purge(as: testOperator) == 4)
        #expect(try await memory.purge(as: testOperator) == 0)
        #expect(Set(try await listIDs()) == [keeper.id, forever.id])
        #expect(Set(try await searchIDs("purgeable")) == [keeper.id, forever.id])
        #expect(try await database.errors.list(ErrorQuery(), as: testOperator).items.map(\.id) == [error.id])
        #expect(try await database.errors.list(ErrorQuery(), as: testOperator).items.first?.contextID == nil)
    }

    @Test func updatingTheTTLChangesVisibilityOfTheSubtree() async throws {
        let parent = try await store(ttl: 60)
        let child = try await store(parent: parent.id)

        // Extending the parent's ttl keeps it and its child visible past the first expiry.
        clock.advance(30)
        let extended = try await memory.update(parent.id, MemoryChange(ttl: 3600), as: testOperator)
        #expect(extended.expiresAt == Timestamp.format(clock.now.addingTimeInterval(3600)))
        clock.advance(120)
        #expect(await isVisible(parent.id))
        #expect(await isVisible(child.id))
        #expect(try await memory.purge(as: testOperator) == 0)
        #expect(try await listIDs().count == 2)

        // Shortening the child's ttl hides only the child.
        _ = try await memory.update(child.id, MemoryChange(ttl: 10), as: testOperator)
        clock.advance(11)
        #expect(await isVisible(parent.id))
        #expect(!(await isVisible(child.id)))

        // Shortening the parent's ttl hides the parent, and its children with it.
        let other = try await store(parent: parent.id, ttl: 7200)
        _ = try await memory.update(parent.id, MemoryChange(ttl: 5), as: testOperator)
        clock.advance(6)
        #expect(!(await isVisible(parent.id)))
        #expect(!(await isVisible(other.id)))
        #expect(try await memory.purge(as: testOperator) == 3)
    }

    @Test func aTTLBeyondACenturyIsRefusedNotHidden() async throws {
        // About 8,200 years would put `expires_at` after the year 9999, where text order breaks.
        let error = await failure { try await store(ttl: 86_400 * 3_000_000) }
        #expect(error?.code == "invalid_input", "\(String(describing: error))")
        #expect(try await store(ttl: 86_400 * 365 * 100).expiresAt != nil, "a century is fine")
    }

    @Test func aSubMillisecondTTLIsStoredOrRefusedButNeverNotFound() async throws {
        // The clock sits on a whole second; 0.4 ms later formats as the same millisecond.
        let error = await failure { try await store(ttl: 0.0004) }
        #expect(error == nil || error?.code == "invalid_input", "\(String(describing: error))")
        #expect(try await store(ttl: 0.001).expiresAt != nil)
    }

    @Test func deeplyNestedDataIsInvalidInput() async throws {
        // The CLI and the server parse input at most 128 deep; the core takes a JSONValue as is.
        var deep = JSONValue.integer(1)
        for _ in 0..<1500 { deep = .object(["k": deep]) }
        let error = await failure { try await memory.store(MemoryDraft(agentID: "a", data: deep), as: testOperator) }
        #expect(error != nil)
        #expect(error?.code == "invalid_input", "\(String(describing: error))")
        #expect(try await listIDs().isEmpty)
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

    // MARK: - Error logs

    @Test func logsErrorsWithAndWithoutAContext() async throws {
        let context = try await store()
        let loose = try await database.errors.log(type: "TimeoutError", message: "took too long", as: testOperator)
        #expect(loose.contextID == nil)
        #expect(loose.fixApplied == false)
        #expect(loose.resolvedAt == nil)
        #expect(loose.resolutionNote == nil)
        #expect(loose.principal == testOperator.name)
        #expect(loose.createdAt == Timestamp.format(clock.now))
        #expect(loose.id.count == 36)

        let tied = try await database.errors.log(
            type: "ParseError", message: "bad", stackTrace: "at line 1\nat line 2",
            contextID: context.id, as: testOperator)
        #expect(tied.contextID == context.id)
        #expect(tied.stackTrace == "at line 1\nat line 2")

        let unknown = await failure {
            try await database.errors.log(type: "E", message: "m", contextID: UUID().uuidString.lowercased(), as: testOperator)
        }
        #expect(unknown?.code == "not_found")
        for (type, message) in [("", "m"), (String(repeating: "t", count: 256), "m"), ("E", "")] {
            let error = await failure { try await database.errors.log(type: type, message: message, as: testOperator) }
            #expect(error?.code == "invalid_input")
        }
        #expect(try await database.errors.list(ErrorQuery(), as: testOperator).items.count == 2)
    }

    @Test func listsErrorsNewestFirstWithFilters() async throws {
        let a = try await store()
        let b = try await store()
        clock.advance(1)
        let e1 = try await database.errors.log(type: "Timeout", message: "1", contextID: a.id, as: testOperator)
        clock.advance(1)
        let e2 = try await database.errors.log(type: "Parse", message: "2", contextID: a.id, as: testOperator)
        clock.advance(1)
        let e3 = try await database.errors.log(type: "Timeout", message: "3", contextID: b.id, as: testOperator)
        clock.advance(1)
        let e4 = try await database.errors.log(type: "Timeout", message: "4", as: testOperator)
        _ = try await database.errors.resolve(e3.id, note: nil, as: testOperator)

        func ids(_ query: ErrorQuery) async throws -> [String] {
            try await database.errors.list(query, as: testOperator).items.map(\.id)
        }
        #expect(try await ids(ErrorQuery()) == [e4.id, e3.id, e2.id, e1.id])
        #expect(try await ids(ErrorQuery(contextID: a.id)) == [e2.id, e1.id])
        #expect(try await ids(ErrorQuery(errorType: "Timeout")) == [e4.id, e3.id, e1.id])
        #expect(try await ids(ErrorQuery(unresolvedOnly: true)) == [e4.id, e2.id, e1.id])
        let since = try #require(Timestamp.parse(e2.createdAt))
        #expect(try await ids(ErrorQuery(since: since)) == [e4.id, e3.id, e2.id])
        #expect(try await ids(ErrorQuery(contextID: b.id, errorType: "Timeout", unresolvedOnly: true)).isEmpty)

        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await database.errors.list(ErrorQuery(), page: PageRequest(limit: 3, cursor: cursor), as: testOperator)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil && seen.count < 10
        #expect(seen == [e4.id, e3.id, e2.id, e1.id])
    }

    @Test func resolvingSetsTheFixAndOnlyOnce() async throws {
        let context = try await store()
        let first = try await database.errors.log(type: "E", message: "one", contextID: context.id, as: testOperator)
        _ = try await database.errors.log(type: "E", message: "two", contextID: context.id, as: testOperator)
        _ = try await database.errors.log(type: "E", message: "elsewhere", as: testOperator)
        #expect(try await memory.get(context.id, as: testOperator).unresolvedErrors == 2)
        #expect(try await memory.resolved(context.id, explain: false, as: testOperator).unresolvedErrors == 2)

        clock.advance(60)
        let resolved = try await database.errors.resolve(first.id, note: "raised the timeout", as: testOperator)
        #expect(resolved.fixApplied)
        #expect(resolved.resolutionNote == "raised the timeout")
        #expect(resolved.resolvedAt == Timestamp.format(clock.now))
        #expect(resolved.createdAt == first.createdAt)
        #expect(try await memory.get(context.id, as: testOperator).unresolvedErrors == 1)

        let twice = await failure { try await database.errors.resolve(first.id, note: nil, as: testOperator) }
        #expect(twice?.code == "conflict")
        let unknown = await failure { try await database.errors.resolve(UUID().uuidString.lowercased(), note: nil, as: testOperator) }
        #expect(unknown?.code == "not_found")
        #expect(try await memory.get(context.id, as: testOperator).unresolvedErrors == 1)
    }

    @Test func deletingAContextKeepsItsErrorsDetached() async throws {
        let context = try await store()
        let error = try await database.errors.log(type: "E", message: "kept", contextID: context.id, as: testOperator)
        #expect(try await memory.delete(context.id, recursive: false, as: testOperator) == 1)

        let remaining = try await database.errors.list(ErrorQuery(), as: testOperator).items
        #expect(remaining.map(\.id) == [error.id])
        #expect(remaining.first?.contextID == nil)
        #expect(remaining.first?.errorMessage == "kept")
        #expect(try await database.errors.list(ErrorQuery(contextID: context.id), as: testOperator).items.isEmpty)
        // A detached error can still be resolved.
        #expect(try await database.errors.resolve(error.id, note: nil, as: testOperator).fixApplied)
    }
}
