import DryadCore
import Foundation

/// Seeds agent memory and prints p50/p95 latencies of its read paths, measured in this process.
/// Usage: dryad-memory-benchmark [contexts] (default 100000, as 10-deep chains).

let total = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000
let depth = 10
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dryad-bench-\(UUID().uuidString)").path
defer { try? FileManager.default.removeItem(atPath: folder) }
// Reads are audited as `dryad serve` audits them: in batches, off the request path.
let database = try DryadDatabase(path: folder + "/bench.db", readAudit: .batched(interval: .milliseconds(100)))
await database.startAuditBatching()
let memory = database.memory
let admin = Principal.localOperator(user: "bench")
let vocabulary = (0..<2000).map { "w\($0)" }
let types = ["task", "plan", "fact", "style", "note"]

func words(_ count: Int) -> String {
    (0..<count).map { _ in vocabulary.randomElement() ?? "w0" }.joined(separator: " ")
}

let seedStart = Date()
var roots: [String] = []
var leaves: [String] = []
var everyID: [String] = []
for chain in 0..<(total / depth) {
    let agent = "agent-\(chain % 100)"
    let drafts = (0..<depth).map { level in
        MemoryDraft(agentID: agent, contextType: types[(chain + level) % types.count],
                    data: .object(["level": .integer(Int64(level)), "note": .string(words(8)),
                                   "settings": .object(["k\(level)": .string(words(2)), "shared": .integer(Int64(chain))])]),
                    tags: ["chain-\(chain % 50)"])
    }
    let stored = try await memory.storeChain(drafts, as: admin)
    roots.append(stored[0].id)
    leaves.append(stored[depth - 1].id)
    everyID += stored.map(\.id)
}
print(String(format: "seeded %d contexts (%d chains of %d) in %.1f s", everyID.count, roots.count, depth, Date().timeIntervalSince(seedStart)))

/// Runs `body` `samples` times and prints p50/p95 in milliseconds.
func measure(_ label: String, samples: Int = 1000, _ body: () async throws -> Void) async throws {
    var durations: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<samples {
        let start = clock.now
        try await body()
        let elapsed = clock.now - start
        durations.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    }
    durations.sort()
    let p50 = durations[durations.count / 2]
    let p95 = durations[min(durations.count - 1, (durations.count * 95 + 99) / 100 - 1)]
    print(label.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "p50 %7.3f ms   p95 %7.3f ms", p50, p95))
}

try await measure("get") { _ = try await memory.get(everyID.randomElement() ?? "", as: admin) }
try await measure("get --resolved (10-deep chain)") { _ = try await memory.resolved(leaves.randomElement() ?? "", explain: false, as: admin) }
try await measure("get --resolved --explain (10-deep chain)") { _ = try await memory.resolved(leaves.randomElement() ?? "", explain: true, as: admin) }
try await measure("parents (10-deep chain)") { _ = try await memory.parents(leaves.randomElement() ?? "", as: admin) }
try await measure("search one word") { _ = try await memory.search(words(1), MemoryQuery(), page: PageRequest(limit: 20), as: admin) }
try await measure("search two words") { _ = try await memory.search(words(2), MemoryQuery(), page: PageRequest(limit: 20), as: admin) }
try await measure("search prefix (w12*)") { _ = try await memory.search("w12*", MemoryQuery(), page: PageRequest(limit: 20), as: admin) }
try await measure("search one word + agent + type filters") {
    _ = try await memory.search(words(1), MemoryQuery(agentID: "agent-\(Int.random(in: 0..<100))", contextType: types.randomElement()),
                                page: PageRequest(limit: 20), as: admin)
}
await database.flushAudit()
