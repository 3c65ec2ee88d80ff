import DryadTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@testable import DryadCore

/// Counts commits on the writer connection.
final class CommitCounter: TransactionObserver, Sendable {
    let commits = Mutex(0)
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { commits.withLock { $0 += 1 } }
    func databaseDidRollback(_ db: Database) {}
}

@Suite struct GroupCommitTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    /// Writes that queue behind a running commit share the next one, and all are durable.
    @Test func concurrentWritesShareCommits() async throws {
        let counter = CommitCounter()
        database.pool.add(transactionObserver: counter, extent: .databaseLifetime)
        // Hold the writer so the next writes pile up behind it.
        async let slow: Void = database.write { _ in usleep(300_000) }
        try await Task.sleep(for: .milliseconds(50))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<100 {
                group.addTask {
                    _ = try await self.database.principals.add("p\(n)", type: .agent, role: .member, as: testOperator)
                }
            }
            try await group.waitForAll()
        }
        try await slow
        #expect(try await database.principals.list(as: testOperator).count == 100)
        // One commit for the slow write, then at most a few for the hundred queued ones
        // (plus the list's own audited read).
        #expect(counter.commits.withLock { $0 } <= 6)
        #expect(try await database.audit.verify(as: testOperator).ok)
    }

    /// A failing operation rolls back alone; its neighbours in the batch commit.
    @Test func aFailingWriteRollsBackAloneInItsBatch() async throws {
        async let slow: Void = database.write { _ in usleep(200_000) }
        try await Task.sleep(for: .milliseconds(50))
        let outcomes = await withTaskGroup(of: (Int, DryadError?).self) { group in
            for n in 0..<40 {
                group.addTask {
                    do {
                        // Every fifth name is taken twice: the second add is a conflict.
                        _ = try await self.database.principals.add("q\(n % 5 == 0 ? 0 : n)", type: .user, role: .member, as: testOperator)
                        return (n, nil)
                    } catch let error as DryadError {
                        return (n, error)
                    } catch {
                        return (n, .storage("\(error)"))
                    }
                }
            }
            var all: [(Int, DryadError?)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        try await slow
        let failures = outcomes.compactMap(\.1)
        #expect(failures.count == 7)
        #expect(failures.allSatisfy { $0 == .conflict("principal q0 already exists") })
        #expect(try await database.principals.list(as: testOperator).count == 33)
        #expect(try await database.audit.verify(as: testOperator).ok)
    }
}
