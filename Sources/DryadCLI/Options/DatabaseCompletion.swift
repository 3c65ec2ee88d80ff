import ArgumentParser
import DryadCore
import Foundation

/// Shell completion of tool names and context ids from the database the command line points at.
enum DatabaseCompletion {
    static let tools = CompletionKind.custom { words, _, prefix in candidates(.tools, words: words, prefix: prefix) }
    static let contexts = CompletionKind.custom { words, _, prefix in candidates(.contexts, words: words, prefix: prefix) }

    /// Honours a `--db` already typed on the line, then `$DRYAD_DB`, then the default location.
    static func candidates(_ subject: CompletionSource.Subject, words: [String], prefix: String) -> [String] {
        var explicit: String?
        for (index, word) in words.enumerated() {
            if word == "--db", index + 1 < words.count { explicit = words[index + 1] }
            if word.hasPrefix("--db=") { explicit = String(word.dropFirst(5)) }
        }
        guard let path = try? DatabaseLocation.resolve(explicit: explicit, environment: ProcessInfo.processInfo.environment) else { return [] }
        return CompletionSource.candidates(subject, prefix: prefix, path: path)
    }
}
