import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// Updates, history and conflicts: versions, `if_version`, three-way merge.
@Suite struct MemoryVersionTests: MemoryTesting {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    let database: DryadDatabase

    init() throws { (folder, clock, database) = try makeMemoryFixture() }

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
        let history = try await memory.history(original.id, as: testOperator).items
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

        let history = try await memory.history(context.id, as: testOperator).items
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
        #expect(try await memory.history(context.id, as: testOperator).items.count == 1)
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
        #expect(try await memory.history(context.id, as: testOperator).items.count == 2)

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
        let history = try await memory.history(context.id, as: testOperator).items
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
        #expect(try await memory.history(context.id, as: testOperator).items.count == 2)
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
        // The merge gives the data as it is: no new version, so others' preconditions still hold.
        #expect(merged.version == 2)
        #expect(merged.merged == nil)
        #expect(try await memory.history(context.id, as: testOperator).items.count == 2)
    }

    /// A repeated replace, an unchanged tag list or a patch that changes nothing writes no
    /// version: a client's `If-Match` must not break for nothing.
    @Test func aChangeThatChangesNothingWritesNoVersion() async throws {
        let context = try await store(#"{"a": 1}"#, tags: ["t"])
        for change in [
            MemoryChange(content: .replace(try parse(#"{"a": 1}"#))), MemoryChange(tags: ["t"]),
            MemoryChange(content: .mergePatch(try parse(#"{"a": 1, "b": null}"#)), ifVersion: 1),
        ] {
            #expect(try await memory.update(context.id, change, as: testOperator).version == 1)
        }
        #expect(try await memory.update(context.id, MemoryChange(tags: ["u"]), as: testOperator).version == 2)
        #expect(try await memory.update(context.id, MemoryChange(ttl: 60), as: testOperator).version == 3)
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
}
