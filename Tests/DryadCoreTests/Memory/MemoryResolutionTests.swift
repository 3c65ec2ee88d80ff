import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// Resolved data: the chain merged from the root down, and where each leaf came from.
@Suite struct MemoryResolutionTests: MemoryTesting {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    let database: DryadDatabase

    init() throws { (folder, clock, database) = try makeMemoryFixture() }

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
}
