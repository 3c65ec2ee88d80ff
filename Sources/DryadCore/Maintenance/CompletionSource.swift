import Foundation
import GRDB

/// Names for shell completion, read straight from the file without opening it for writing,
/// migrating or auditing: the shell asks on every Tab, and only the file's owner can read it.
public enum CompletionSource {
    /// What is being completed.
    public enum Subject: Sendable {
        /// Tool names, and `NAME@VERSION` once the word holds an `@`.
        case tools
        /// Ids of memory contexts that have not expired.
        case contexts
    }

    /// At most this many candidates, so a huge database cannot flood the shell.
    static let limit = 200

    /// Candidates starting with `prefix`; empty when the file is missing or not a dryad database.
    public static func candidates(_ subject: Subject, prefix: String, path: String) -> [String] {
        guard FileManager.default.isReadableFile(atPath: path) else { return [] }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(0.5)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            return try queue.read { db in
                guard try Int.fetchOne(db, sql: "PRAGMA application_id") == DryadDatabase.applicationID else { return [] }
                let pattern =
                    prefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%"
                switch subject {
                case .tools where prefix.contains("@"):
                    return try String.fetchAll(
                        db,
                        sql: """
                            SELECT t.name || '@' || v.version AS ref FROM tool_registry t JOIN tool_version v ON v.tool_id = t.id
                            WHERE ref LIKE ? ESCAPE '\\' ORDER BY t.name, v.version_key LIMIT ?
                            """, arguments: [pattern, limit])
                case .tools:
                    return try String.fetchAll(
                        db, sql: "SELECT name FROM tool_registry WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?",
                        arguments: [pattern, limit])
                case .contexts:
                    return try String.fetchAll(
                        db,
                        sql: """
                            SELECT id FROM memory_context WHERE id LIKE ? ESCAPE '\\' AND \(MemoryStore.visible) ORDER BY id LIMIT ?
                            """, arguments: [pattern, Timestamp.format(Date()), limit])
                }
            }
        } catch {
            return []
        }
    }
}
