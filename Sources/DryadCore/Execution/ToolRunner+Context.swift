import Foundation
import GRDB

/// Runs in memory contexts: the input a run takes from its context, and what it leaves there
/// (its output as a new version, an error log when it fails), written with its record.
extension ToolRunner {
    /// What the decision before a run found: the tool, why it may be read or run, and the input.
    struct RunDecision: Sendable {
        var tool: ToolVersion
        var reason: String
        var mayExecute: Bool
        var input: JSONValue
    }

    /// A refused run and the resource its denial is audited on (the tool, or the context).
    struct RunRefusal: Error {
        var denial: Denial
        var resource: String
    }

    /// The most of a failed run's stderr an error log keeps as its stack trace.
    static let maxStackTraceBytes = 4096

    /// Checks that `principal` may run in the context (read it; write it to store the output)
    /// and returns the run's input. A context the caller cannot read is not found, as
    /// everywhere; the denial is audited on the context.
    static func contextInput(_ placement: RunInContext, explicit: JSONValue, now: String, _ principal: Principal, in db: Database) throws -> JSONValue {
        do {
            let context = try MemoryStore.fetch(placement.contextID, now: now, in: db)
            try AccessCheck.requireContext(placement.storeOutput == nil ? .read : .write, context, principal, in: db)
            guard placement.inputFrom != nil else { return explicit }
            let resolved = try MemoryStore.resolvedData(of: context, explain: false, principal, in: db)
            return try placement.input(explicit: explicit, resolved: resolved.data)
        } catch let denial as Denial {
            throw RunRefusal(denial: denial, resource: "memory:\(placement.contextID)")
        }
    }

    /// Stores the output of a successful run and logs a failed run's error on its context,
    /// in the transaction that writes the run's record. A context the caller can no longer read
    /// (deleted, expired or unshared while the tool ran) gets no error log; the record keeps its id.
    static func leaveInContext(
        _ placement: RunInContext, _ record: inout ExecutionRecord, stderrTail: String?, principal: Principal, at now: String, limit: Int,
        keyring: Keyring, in db: Database
    ) throws {
        // Errors are logged only where the caller may still read: the context may have been
        // deleted, have expired, or been unshared while the tool ran.
        let readable: Bool
        do {
            try AccessCheck.requireContext(.read, try MemoryStore.fetch(placement.contextID, now: now, in: db), principal, in: db)
            readable = true
        } catch is Denial {
            readable = false
        } catch let error as DryadError where error.code == "not_found" {
            readable = false
        }
        if let pointer = placement.storeOutput {
            record.storedOutput = try storeOutput(
                placement, pointer: pointer, record, readable: readable, principal: principal, at: now, limit: limit, keyring: keyring, in: db)
        }
        guard readable, let type = failureType(record) else { return }
        try ErrorLog.insert(
            ErrorLog.ErrorDraft(
                type: type,
                message: capped("tool \(record.toolName)@\(record.toolVersion): \(record.error ?? record.status.rawValue)", ErrorLog.maxMessageBytes),
                stackTrace: stderrTail, contextID: placement.contextID, executionID: record.id, principal: principal.name),
            at: now, in: db)
    }

    /// The most of a refusal's message a record's `stored_output.reason` keeps (a merge
    /// conflict quotes both values, which may be a MiB each).
    static let maxReasonBytes = 1024

    /// `text` cut to at most `bytes` UTF-8 bytes (at a character), marked with `…` when cut.
    static func capped(_ text: String, _ bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var kept = ""
        for character in text {
            guard kept.utf8.count + character.utf8.count + 3 <= bytes else { break }
            kept.append(character)
        }
        return kept + "…"
    }

    /// The error type a run logs on its context: `tool.failed`, `tool.timed_out`,
    /// `tool.invalid_output`; nil for runs that did not fail (or never ran, or that their caller
    /// cancelled: ending a run is a choice, not a failure to look into).
    static func failureType(_ record: ExecutionRecord) -> String? {
        switch record.status {
        case .timedOut: "tool.timed_out"
        case .failed: record.error?.hasPrefix("invalid_output") == true ? "tool.invalid_output" : "tool.failed"
        case .succeeded, .cancelled, .rejected, .denied: nil
        }
    }

    /// Writes a successful run's output at `pointer` as the context's next version, as
    /// `memory update` would (same access, precondition and merge rules), audited as a
    /// `memory.update`. A refusal writes nothing, is audited as denied, logs a
    /// `tool.output_not_stored` error on the context while the caller may read it, and is what
    /// the record says.
    private static func storeOutput(
        _ placement: RunInContext, pointer: String, _ record: ExecutionRecord, readable: Bool, principal: Principal, at now: String, limit: Int,
        keyring: Keyring, in db: Database
    ) throws -> StoredOutput {
        guard record.status == .succeeded, let output = record.output else {
            return StoredOutput(pointer: pointer, stored: false, reason: "the run did not succeed")
        }
        let resource = "memory:\(placement.contextID)"
        let before = try Int.fetchOne(db, sql: "SELECT version FROM memory_context WHERE id = ?", arguments: [placement.contextID])
        let change = MemoryChange(content: .set(pointer: pointer, value: output), ifVersion: placement.ifVersion, onConflict: placement.onConflict)
        var note = AuditNote.allowed(resource, for: principal)
        var written: MemoryContext?
        do {
            try db.inSavepoint {
                written = try MemoryStore.apply(
                    change, to: placement.contextID, principal: principal, now: Timestamp.parse(now) ?? Date(), limit: limit, executionID: record.id,
                    note: &note, in: db)
                return .commit
            }
        } catch {
            let refusal: (message: String, reason: String)
            switch error {
            case let denial as Denial: refusal = (capped(denial.error.message, maxReasonBytes), denial.reason)
            case let failure as DryadError:
                refusal = (capped(failure.message, maxReasonBytes), "failed: \(failure.code): " + String(failure.message.prefix(160)))
            default: throw error
            }
            try AuditLog.append(
                principal: principal.name, action: .memoryUpdate, resource: resource, allowed: false, reason: refusal.reason,
                requestID: principal.requestID, at: now, keyring: keyring, in: db)
            if readable {
                try ErrorLog.insert(
                    ErrorLog.ErrorDraft(
                        type: "tool.output_not_stored",
                        message: "the output of tool \(record.toolName)@\(record.toolVersion) was not stored at \(pointer): \(refusal.message)",
                        contextID: placement.contextID, executionID: record.id, principal: principal.name),
                    at: now, in: db)
            }
            return StoredOutput(pointer: pointer, stored: false, reason: refusal.message)
        }
        guard let written, written.version != before else {
            return StoredOutput(pointer: pointer, stored: false, reason: "\(StoredOutput.unchangedReason): the context already holds this output at \(pointer)")
        }
        try AuditLog.append(
            principal: principal.name, action: .memoryUpdate, resource: resource, allowed: true,
            reason: note.reason + "; output of execution \(record.id)", requestID: principal.requestID, at: now, keyring: keyring, in: db)
        return StoredOutput(pointer: pointer, stored: true, version: written.version)
    }

    /// The last lines of stderr, as kept for an error log's stack trace (at most
    /// `maxStackTraceBytes`, starting at a line); nil when there was none.
    static func lastLines(of stderr: Data) -> String? {
        guard !stderr.isEmpty else { return nil }
        var tail = stderr.suffix(maxStackTraceBytes)
        if tail.count < stderr.count, let newline = tail.firstIndex(of: 0x0A) { tail = tail[(newline + 1)...] }
        // A NUL would end the stored text early (`StoredText`).
        let text = String(decoding: tail, as: UTF8.self).replacingOccurrences(of: "\0", with: "?")
        return text.isEmpty ? nil : text
    }
}
