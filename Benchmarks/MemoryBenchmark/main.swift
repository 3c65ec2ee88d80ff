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

// A busy context: 1,000 versions of 64 KiB data and 1,000 runs with 64 KiB inputs in it, so a
// trace page that read versions' data or runs' inputs, or every event up to the cursor, shows.
let blob = String(repeating: "x", count: 64 * 1024)
let busy = try await memory.store(MemoryDraft(agentID: "agent-0", data: .object([:])), as: admin)
for index in 0..<1000 {
    let data = JSONValue.object(["n": .integer(Int64(index)), "blob": .string(blob)])
    _ = try await memory.update(busy.id, MemoryChange(content: .replace(data)), as: admin)
}
let cat = try ToolDefinition(
    json: try JSONValue.parse(#"{"name":"bench-cat","description":"cat","executor":{"kind":"command","argv":["/bin/cat"],"sandbox":{"mode":"none"}}}"#))
_ = try await database.tools.register([cat], as: admin)
let runner = database.executor(environment: ProcessInfo.processInfo.environment)
for _ in 0..<1000 {
    _ = try await runner.execute(.nameOrID("bench-cat"), input: .object(["blob": .string(blob)]), in: RunInContext(contextID: busy.id), as: admin)
}
var cursors: [String?] = [nil]
while let next = try await memory.trace(busy.id, page: PageRequest(limit: 100, cursor: cursors.last ?? nil), as: admin).nextCursor { cursors.append(next) }
print("busy context: \(cursors.count) trace pages of 100 events")
try await measure("trace, first page of 100 (busy context)", samples: 200) { _ = try await memory.trace(busy.id, as: admin) }
try await measure("trace, last page of 100 (busy context)", samples: 200) {
    _ = try await memory.trace(busy.id, page: PageRequest(limit: 100, cursor: cursors.last ?? nil), as: admin)
}
try await measure("get --with-runs (busy context)", samples: 200) { _ = try await memory.get(.id(busy.id), withRuns: true, as: admin) }
await database.flushAudit()
