import DryadCore

/// Turns successive change marks into the notifications a client asked for: whether the tools
/// changed, and which watched contexts got a new version or went away.
struct MCPChangeFeed: Sendable {
    /// The marks last seen; nil before the first poll (nothing has "changed" yet).
    private var last: ChangeMarks?
    /// Each watched context's last known version; nil once it was deleted (reported once).
    private(set) var versions: [String: Int] = [:]

    var watched: [String] { Array(versions.keys) }

    mutating func watch(_ id: String, version: Int) {
        versions[id] = version
    }

    mutating func unwatch(_ id: String) {
        versions[id] = nil
    }

    /// What changed since the last marks, judging only the contexts they were read for
    /// (`asked`: one watched while they were read is judged next time); a deleted context is
    /// reported once, then no longer watched.
    mutating func apply(_ marks: ChangeMarks, asked: [String]) -> (toolsChanged: Bool, updated: [String]) {
        defer { last = marks }
        let toolsChanged = last.map { $0.tools != marks.tools } ?? false
        var updated: [String] = []
        for id in asked.sorted() {
            guard let seen = versions[id], marks.versions[id] != seen else { continue }
            versions[id] = marks.versions[id]
            updated.append(id)
        }
        return (toolsChanged, updated)
    }
}
