import Foundation
import GRDB

extension DryadDatabase {
    /// Decides an admin-only action (`authorize`), then runs `body` in one write transaction together with the audit entry that records the
    /// allowed decision: if the entry cannot be written, the change does not happen. A `Denial`
    /// thrown by `body` rolls the change back and is audited in a transaction of its own.
    /// `skipAudit` lets an operation whose result is its own record (an import that brings the
    /// source's audit trail) leave the trail as it found it. `unbounded` sends a point read
    /// that this call makes bigger (a context with its runs) to the reader pool instead.
    func audited<T: Sendable>(
        _ principal: Principal, _ action: AuditAction, _ resource: String,
        cache: CachedRead<T>? = nil, unbounded: Bool = false,
        _ body: @escaping @Sendable (Database, inout AuditNote) throws -> T,
        skipAudit: (@Sendable (T) -> Bool)? = nil
    ) async throws(DryadError) -> T {
        let at = now()
        // Decided in line: no awaited call on the path of every request that is allowed.
        if let denial = AccessRules.upFrontDenial(principal, action) {
            throw try await refusal(for: denial, principal, action, resource, at: at)
        }
        if action.isRead {
            switch readAudit {
            case .immediate: break
            case .batched, .none:
                return try await auditedRead(principal, action, resource, at: at, cache: cache, pointRead: action.isPointRead && !unbounded, body)
            }
        }
        do {
            return try await committer.write { db in
                var note = AuditNote.allowed(resource, for: principal)
                let result = try body(db, &note)
                if skipAudit?(result) != true {
                    try AuditLog.append(
                        principal: principal.name, action: action, resource: note.resource, allowed: true,
                        reason: note.reason, requestID: principal.requestID, at: at, keyring: self.keyring, in: db)
                }
                return result
            }
        } catch {
            throw try await refusal(for: error, principal, action, resource, at: at)
        }
    }

    /// Refuses (and audits the refusal of) an admin-only `action` for anyone else, before an
    /// operation that must not start for them does work outside a transaction (a sync that
    /// starts an upstream server's program).
    func requireUpFront(_ principal: Principal, _ action: AuditAction, _ resource: String) async throws(DryadError) {
        if let denial = AccessRules.upFrontDenial(principal, action) {
            throw try await refusal(for: denial, principal, action, resource, at: now())
        }
    }

    /// An allowed read audited in the batch (or not at all); with a `cache` plan and a read
    /// cache, an answer still valid is served from it, with the decision it was read with.
    private func auditedRead<T: Sendable>(
        _ principal: Principal, _ action: AuditAction, _ resource: String, at: String,
        cache: CachedRead<T>? = nil, pointRead: Bool,
        _ body: @escaping @Sendable (Database, inout AuditNote) throws -> T
    ) async throws(DryadError) -> T {
        do {
            let plan = readCache == nil ? nil : cache?.plan
            let key = plan.map { ReadCache.key($0, principal) }
            // A failed lookup (a file restored from before the cache, mid-migration) is a miss:
            // the read itself then reports whatever is wrong.
            if let plan, let key, let readCache,
                let generation = (try? pointReaders.read({ db in try ReadCache.generation(plan.scope, in: db) })) ?? nil,
                let (value, note): (T, AuditNote) = readCache.lookup(plan.scope, key, generation: generation, now: at)
            {
                try enqueueRead(principal, action, note, at: at)
                return value
            }
            let read: @Sendable (Database) throws -> (T, AuditNote, ReadCache.Stamp?) = { db in
                var note = AuditNote.allowed(resource, for: principal)
                let result = try body(db, &note)
                return (result, note, plan.flatMap { (try? ReadCache.stamp($0, in: db)) ?? nil })
            }
            let (result, note, stamp) = pointRead ? try pointReaders.read(read) : try await pool.read(read)
            if let plan, let key, let stamp, let cache {
                readCache?.store(plan.scope, key, result, note: note, cost: cache.cost(result), stamp: stamp)
            }
            try enqueueRead(principal, action, note, at: at)
            return result
        } catch {
            throw try await refusal(for: error, principal, action, resource, at: at)
        }
    }

    /// Refuses (and audits) an admin-only action for anyone else before any transaction starts:
    /// `AccessRules.requirement(for:)` says which actions those are.
    func authorize(_ principal: Principal, _ action: AuditAction, _ resource: String, at: String? = nil) async throws(DryadError) {
        guard let denial = AccessRules.upFrontDenial(principal, action) else { return }
        throw try await refusal(for: denial, principal, action, resource, at: at)
    }

    /// What a failed audited operation throws: a `Denial` is audited (in a transaction of its
    /// own, or in the next read batch) and becomes its error. A change refused for what it asked
    /// (not found, conflict, invalid input, over a quota) is audited as denied with the reason
    /// `failed: CODE: …`, so the trail holds every attempted change, not only those that
    /// happened; reads that fail are not (they change nothing). Storage errors pass unaudited.
    func refusal(
        for error: any Error, _ principal: Principal, _ action: AuditAction, _ resource: String, at: String? = nil
    ) async throws(DryadError) -> DryadError {
        guard let denial = error as? Denial else {
            let failure = Self.map(error, path: path)
            if !action.isRead, Self.isRefusedChange(failure) {
                // Best effort: a trail that cannot be written must not hide why the change failed.
                let reason = "failed: \(failure.code): " + String(failure.message.prefix(160))
                try? await recordDenial(principal, action, resource, reason: reason, at: at)
            }
            return failure
        }
        try await recordDenial(principal, action, resource, reason: denial.reason, at: at)
        return denial.error
    }

    /// Whether `error` refused a change for what it asked, rather than failing to store it.
    private static func isRefusedChange(_ error: DryadError) -> Bool {
        switch error {
        case .notFound, .permissionDenied, .conflict, .stale, .invalidInput, .quotaExceeded: true
        case .advised(let inner, _): isRefusedChange(inner)
        case .schemaTooNew, .busy, .toolFailed, .limited, .storage: false
        }
    }

    /// Queues an allowed read's audit entry when reads are batched.
    private func enqueueRead(_ principal: Principal, _ action: AuditAction, _ note: AuditNote, at: String) throws(DryadError) {
        if case .batched = readAudit,
            !batcher.enqueue(principal: principal, action: action, resource: note.resource, reason: note.reason, at: at)
        {
            throw DryadError.busy("the audit trail is not being written (its queue is full); reads are refused until it is")
        }
    }

    /// Audits a refusal that happened outside any transaction (a bad token, a rate limit).
    func recordDenial(_ principal: Principal, _ action: AuditAction, _ resource: String, reason: String, at: String? = nil) async throws(DryadError) {
        let at = at ?? now()
        // A refusal changes nothing, so a server writes it with the batched reads: a flood of bad
        // tokens or over-limit requests costs a batched insert each, not a commit each.
        if case .batched = readAudit {
            guard batcher.enqueue(principal: principal, action: action, resource: resource, allowed: false, reason: reason, at: at) else {
                throw DryadError.busy("the audit trail is not being written (its queue is full); requests are refused until it is")
            }
            return
        }
        do {
            _ = try await committer.write { db in
                try AuditLog.append(
                    principal: principal.name, action: action, resource: resource, allowed: false, reason: reason,
                    requestID: principal.requestID, at: at, keyring: self.keyring, in: db)
            }
        } catch {
            throw Self.map(error, path: path)
        }
    }
}
