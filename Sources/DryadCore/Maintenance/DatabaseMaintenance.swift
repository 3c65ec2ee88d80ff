import Foundation
import GRDB

extension DryadDatabase {
    /// Copies the database to a new file with SQLite's online backup API, from a read snapshot,
    /// while other processes keep writing; the copy is integrity-checked before success.
    ///
    /// With `encryption`, the copy is made beside the live database (as private as it is),
    /// then encrypted into `destination` (`SealedFile`) and removed.
    public func backup(to destination: String, encryption: FileKey? = nil, as principal: Principal) async throws(DryadError) {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw .conflict("\(destination) exists already; choose a new file")
        }
        try await audited(principal, .dbBackup, "file:\(destination)" + (encryption.map { " (encrypted with key \($0.id))" } ?? "")) { _, _ in }
        let plain = encryption == nil ? destination : path + ".backup-\(UUID().uuidString.lowercased())"
        defer { if encryption != nil { try? FileManager.default.removeItem(atPath: plain) } }
        do {
            try Self.copy(pool, to: plain)
            if let encryption { try SealedFile.encrypt(plain, to: destination, key: encryption) }
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw Self.map(error, path: destination)
        }
    }

    /// The blocking part of `backup`: create the file private, copy, check.
    private static func copy(_ pool: DatabasePool, to destination: String) throws {
        let fd = open(destination, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DryadError.storage("cannot create \(destination): \(String(cString: strerror(errno)))") }
        close(fd)
        let copy = try DatabaseQueue(path: destination)
        try pool.backup(to: copy)
        let verdict = try copy.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        try copy.close()
        guard verdict == "ok" else {
            throw DryadError.storage("the copy failed its integrity check (\(verdict ?? "no answer")); removed it")
        }
    }

    /// Replaces the database's content with a healthy dryad database file, in one transaction
    /// that other processes see all at once; refuses files that are not dryad's, are damaged or
    /// come from a newer schema. The restore is recorded in the (restored) audit trail.
    ///
    /// An encrypted backup is decrypted (with `encryption`, else the key file's file key)
    /// beside the live database first.
    public func restore(from source: String, encryption: FileKey? = nil, as principal: Principal) async throws(DryadError) {
        try await audited(principal, .dbRestoreCheck, "file:\(source)") { _, _ in }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else { throw .invalidInput("\(source): no such file") }
        guard !isDirectory.boolValue else { throw .invalidInput("\(source) is a directory, not a dryad database") }
        var plain = source
        if SealedFile.isSealed(source) {
            plain = path + ".restore-\(UUID().uuidString.lowercased())"
            let key: FileKey
            if let encryption { key = encryption } else { key = try await fileKey() }
            try SealedFile.decrypt(source, to: plain, key: key)
        }
        defer { if plain != source { try? FileManager.default.removeItem(atPath: plain) } }
        try Self.replaceContent(of: pool, from: plain, path: path)
        // The restored file seals its own audit key (with this key file, or it will say so).
        keyring.forgetUnsealed()
        try await audited(principal, .dbRestore, "file:\(source)") { _, _ in }
    }

    /// The blocking part of `restore`: vet the file, copy it over the live database, migrate.
    private static func replaceContent(of pool: DatabasePool, from source: String, path: String) throws(DryadError) {
        var configuration = Configuration()
        configuration.readonly = true
        let input: DatabaseQueue
        let (application, version, integrity): (Int, Int, String?)
        let differences: [String]
        do {
            // Errors up to here are the source's: "not a dryad database" names it.
            input = try DatabaseQueue(path: source, configuration: configuration)
            (application, version, integrity) = try input.read { db in
                (
                    try Int.fetchOne(db, sql: "PRAGMA application_id") ?? 0, try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                    try String.fetchOne(db, sql: "PRAGMA integrity_check")
                )
            }
            differences = application == applicationID && version <= schemaVersion ? try input.read(SchemaObjects.differences) : []
        } catch {
            throw map(error, path: source, opening: true)
        }
        guard application == applicationID else { throw DryadError.invalidInput("\(source) is not a dryad database") }
        guard version <= schemaVersion else { throw DryadError.schemaTooNew(found: version, supported: schemaVersion) }
        guard integrity == "ok" else { throw DryadError.invalidInput("\(source) is damaged (integrity check: \(integrity ?? "no answer"))") }
        guard differences.isEmpty else {
            throw DryadError.invalidInput(
                "\(source) does not hold the schema its version \(version) defines (\(differences.prefix(5).joined(separator: ", "))\(differences.count > 5 ? ", …" : "")); refusing to restore it"
            )
        }
        do {
            // From here on a failure is the live file's.
            try input.backup(to: pool)
            try input.close()
            try Migrations.migrator.migrate(pool)
        } catch {
            throw map(error, path: path)
        }
    }

    /// `integrity_check`, `foreign_key_check`, the audit chain, the schema objects (against the
    /// ones the file's schema version defines) and the read cache's change markers, one
    /// result each.
    public func check(as principal: Principal) async throws(DryadError) -> [CheckResult] {
        // An audited admin check first, kept short: the checks themselves read a snapshot, so a
        // long one never holds the write lock. On a damaged file a check that cannot run is a
        // failed result, so the report still says which part is broken.
        try await audited(principal, .dbCheck, "database") { _, _ in }
        var results: [CheckResult] = []
        do {
            let (integrity, foreignKeys) = try await read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check"), try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count)
            }
            results.append(CheckResult(check: "integrity_check", ok: integrity == ["ok"], detail: integrity.prefix(3).joined(separator: "; ")))
            results.append(
                CheckResult(check: "foreign_key_check", ok: foreignKeys == 0, detail: foreignKeys == 0 ? "ok" : "\(foreignKeys) broken references"))
        } catch {
            results.append(CheckResult(check: "integrity_check", ok: false, detail: error.message))
            results.append(CheckResult(check: "foreign_key_check", ok: false, detail: "not run"))
        }
        do {
            let verification = try await audit.verify(as: principal)
            results.append(
                CheckResult(
                    check: "audit_chain", ok: verification.ok,
                    detail: verification.ok ? "ok (\(verification.entries) entries)" : (verification.problem ?? "does not verify")))
        } catch  where error.code == "storage_error" {
            results.append(CheckResult(check: "audit_chain", ok: false, detail: error.message))
        }
        do {
            let differences = try await read(SchemaObjects.differences)
            results.append(
                CheckResult(
                    check: "schema_objects", ok: differences.isEmpty,
                    detail: differences.isEmpty
                        ? "ok" : differences.prefix(10).joined(separator: ", ") + (differences.count > 10 ? ", …" : "")))
        } catch {
            results.append(CheckResult(check: "schema_objects", ok: false, detail: error.message))
        }
        do {
            let missing = try await read(Migrations.missingReadGenerationMarkers)
            results.append(
                CheckResult(
                    check: "read_cache_markers", ok: missing.isEmpty,
                    detail: missing.isEmpty
                        ? "ok"
                        : "missing \(missing.joined(separator: ", ")): a running dryad serve may answer stale reads until it is restarted, which restores them")
            )
        } catch {
            results.append(CheckResult(check: "read_cache_markers", ok: false, detail: error.message))
        }
        return results
    }

    /// Rebuilds the file to reclaim free pages.
    public func vacuum(as principal: Principal) async throws(DryadError) {
        try await audited(principal, .dbVacuum, "database") { _, _ in }
        do {
            try await pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
        } catch {
            throw Self.map(error, path: path)
        }
    }
}
