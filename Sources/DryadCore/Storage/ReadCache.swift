import CoreMetrics
import GRDB
import Synchronization

/// Answers of repeated reads (a page of tools, a search, a resolved context) kept by a server
/// while nothing they were read from has changed.
///
/// Every change to a table a scope reads from replaces the scope's value in `read_generation`
/// (schema triggers, so writes by other processes count too). An answer is stored with the
/// value read in its own snapshot and served only while a fresh read of that value still
/// matches, so a cached answer is exactly what the query would return now. Time is the other
/// input: memory answers also keep the earliest expiry after their read and are not served
/// past it. The permission decision is part of the answer, and a hit is audited like a read.
final class ReadCache: Sendable {
    /// A family of answers invalidated together.
    enum Scope: String, Sendable, CaseIterable {
        case tools, memory
    }

    /// What a cacheable read asks for: its scope, a key naming everything its answer depends
    /// on besides the caller (who is added to the key here), and the time its query ran at.
    struct Plan: Sendable {
        let scope: Scope
        let key: String
        /// The `now` a memory query filtered expired contexts with; nil for answers that do not expire.
        let visibleAt: String?

        /// A plan whose key is `parts`, each length-prefixed so no two lists give the same key.
        init(_ scope: Scope, _ parts: [String?], visibleAt: String? = nil) {
            self.scope = scope
            self.visibleAt = visibleAt
            var key = ""
            for part in parts {
                if let part { key += "\(part.utf8.count):\(part)" } else { key += "-" }
            }
            self.key = key
        }
    }

    /// The snapshot facts an answer is stored with.
    struct Stamp: Sendable {
        let generation: Int64
        /// The time the memory query filtered expired contexts with.
        let validFrom: String?
        /// The earliest expiry after the read: past it the answer may hold an expired context.
        let validUntil: String?
    }

    private struct Entry {
        let value: any Sendable
        let note: AuditNote
        let cost: Int
        /// The time the answer was read at, and the earliest expiry after it: served only between.
        let validFrom: String?
        let validUntil: String?
    }

    /// One scope's answers, all read at `generation`.
    private struct Shelf {
        var generation: Int64
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    /// Bytes of answers kept at most; past it arbitrary entries are dropped.
    let capacity: Int
    private let shelves = Mutex<[Scope: Shelf]>([:])
    /// Lookups answered from the cache and not (`dryad_read_cache_lookups_total{result=…}`),
    /// counted through swift-metrics into whatever factory the database was given.
    let hits: Counter
    let misses: Counter

    init(capacity: Int, metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.capacity = capacity
        self.hits = Counter(label: "dryad_read_cache_lookups_total", dimensions: [("result", "hit")], factory: metrics)
        self.misses = Counter(label: "dryad_read_cache_lookups_total", dimensions: [("result", "miss")], factory: metrics)
    }

    /// The scope's current value, read in `db`'s snapshot.
    static func generation(_ scope: Scope, in db: Database) throws -> Int64? {
        try db.cachedStatement(sql: "SELECT value FROM read_generation WHERE scope = ?").decodeFirst(arguments: [scope.rawValue]) { Int64($0.int(0)) }
    }

    /// The facts to store an answer read in `db`'s snapshot with; nil when the file has no generations.
    static func stamp(_ plan: Plan, in db: Database) throws -> Stamp? {
        guard let generation = try generation(plan.scope, in: db) else { return nil }
        var validUntil: String?
        if let visibleAt = plan.visibleAt {
            validUntil =
                try db.cachedStatement(sql: "SELECT min(visible_until) FROM memory_context WHERE visible_until > ?")
                .decodeFirst(arguments: [visibleAt]) { $0.optionalString(0) } ?? nil
        }
        return Stamp(generation: generation, validFrom: plan.visibleAt, validUntil: validUntil)
    }

    /// The caller-specific key: the same query answers differently per principal.
    static func key(_ plan: Plan, _ principal: Principal) -> String {
        "\(principal.name.utf8.count):\(principal.name)\(principal.kind.rawValue).\(principal.role.rawValue).\(plan.key)"
    }

    /// The stored answer for `key` if it was read at `generation` and is valid at `now`.
    func lookup<T>(_ scope: Scope, _ key: String, generation: Int64, now: String) -> (T, AuditNote)? {
        let (found, stale) = shelves.withLock { shelves -> ((T, AuditNote)?, Shelf?) in
            guard let shelf = shelves[scope] else { return (nil, nil) }
            // Everything on a shelf of another generation was read before a change: drop it now.
            guard shelf.generation == generation else { return (nil, shelves.removeValue(forKey: scope)) }
            guard let entry = shelf.entries[key], let value = entry.value as? T else { return (nil, nil) }
            // A clock set back counts too: contexts that expired before the read may be visible again.
            if let validUntil = entry.validUntil, now >= validUntil { return (nil, nil) }
            if let validFrom = entry.validFrom, now < validFrom { return (nil, nil) }
            return ((value, entry.note), nil)
        }
        withExtendedLifetime(stale) {}  // freed here, outside the lock
        if found == nil {
            misses.increment()
        } else {
            hits.increment()
        }
        return found
    }

    /// Keeps an answer read at `stamp`; `cost` is about the bytes it holds (its key and note are added).
    func store(_ scope: Scope, _ key: String, _ value: some Sendable, note: AuditNote, cost: Int, stamp: Stamp) {
        // Keys count too: a client can make them long (a search's words), not only many.
        let cost = cost + key.utf8.count + note.resource.utf8.count + note.reason.utf8.count + 256
        guard cost <= capacity / 8 else { return }
        let entry = Entry(value: value, note: note, cost: cost, validFrom: stamp.validFrom, validUntil: stamp.validUntil)
        let stale = shelves.withLock { shelves -> Shelf? in
            // Shelves are taken out while changed so their dictionaries are not copied.
            var shelf = shelves.removeValue(forKey: scope) ?? Shelf(generation: stamp.generation)
            var stale: Shelf?
            if shelf.generation != stamp.generation {
                // Read at another generation (older or newer): the shelf follows the latest store;
                // a lookup checks the current value either way.
                stale = shelf
                shelf = Shelf(generation: stamp.generation)
            }
            if let replaced = shelf.entries.updateValue(entry, forKey: key) { shelf.bytes -= replaced.cost }
            shelf.bytes += cost
            shelves[scope] = consume shelf
            Self.evict(from: &shelves, downTo: capacity, keeping: key)
            return stale
        }
        withExtendedLifetime(stale) {}  // freed here, outside the lock
    }

    /// Drops entries other than `kept` (whichever the dictionaries give first) until the shelves hold at most `capacity` bytes.
    private static func evict(from shelves: inout [Scope: Shelf], downTo capacity: Int, keeping kept: String) {
        var excess = shelves.values.reduce(0) { $0 + $1.bytes } - capacity
        for scope in Scope.allCases where excess > 0 {
            guard var shelf = shelves.removeValue(forKey: scope) else { continue }
            while excess > 0, let index = shelf.entries.firstIndex(where: { $0.key != kept }) {
                let cost = shelf.entries.remove(at: index).value.cost
                shelf.bytes -= cost
                excess -= cost
            }
            shelves[scope] = consume shelf
        }
    }
}
