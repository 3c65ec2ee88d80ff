import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// Trees and sharing: parents, children, recursive delete, shares.
@Suite struct MemoryTreeTests: MemoryTesting {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    let database: DryadDatabase

    init() throws { (folder, clock, database) = try makeMemoryFixture() }

    // MARK: - Trees

    @Test func parentsAreListedNearestFirst() async throws {
        let root = try await store(#"{"l": 0}"#)
        let middle = try await store(#"{"l": 1}"#, parent: root.id)
        let leaf = try await store(#"{"l": 2}"#, parent: middle.id)
        _ = try await memory.share(root.id, with: "critic-2", access: .read, as: testOperator)

        let parents = try await memory.parents(leaf.id, as: testOperator).items
        #expect(parents.map(\.id) == [middle.id, root.id])
        #expect(parents.last?.sharedWith == [MemoryShare(agentID: "critic-2", access: .read)])
        #expect(try await memory.parents(root.id, as: testOperator).items.isEmpty)
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

        #expect(try await memory.children(root.id, recursive: false, as: testOperator).items.map(\.id) == [a.id, b.id])
        #expect(try await memory.children(root.id, recursive: true, as: testOperator).items.map(\.id) == [a.id, b.id, a1.id, b1.id, a1x.id])
        #expect(try await memory.children(a.id, recursive: true, as: testOperator).items.map(\.id) == [a1.id, a1x.id])
        #expect(try await memory.children(a1x.id, recursive: true, as: testOperator).items.isEmpty)
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
            let history = await failure { try await memory.history(id, as: testOperator).items }
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
        #expect(try await memory.children(parent.id, recursive: true, as: testOperator).items.isEmpty)
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
}
