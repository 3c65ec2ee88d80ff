import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// Expiry: TTLs, invisibility of expired subtrees, purge.
@Suite struct MemoryExpiryTests: MemoryTesting {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    let database: DryadDatabase

    init() throws { (folder, clock, database) = try makeMemoryFixture() }

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
                await failure { try await memory.history(id, as: testOperator).items },
                await failure { try await memory.parents(id, as: testOperator) },
                await failure { try await memory.children(id, recursive: true, as: testOperator).items },
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
}
