import DryadCore
import Foundation

/// Reading the process-wide limits from the environment is the command line's job, not the core's.
extension DryadDatabase.Limits {
    /// The limits `environment` sets, defaults for the rest; a malformed value is invalid input.
    static func from(environment: [String: String]) throws(DryadError) -> DryadDatabase.Limits {
        var limits = DryadDatabase.Limits()
        if let text = environment["DRYAD_MEMORY_MAX_BYTES"] {
            guard let bytes = Int(text), bytes > 0 else { throw .invalidInput("DRYAD_MEMORY_MAX_BYTES: expected a positive number of bytes") }
            limits.memoryMaxBytes = bytes
        }
        if let text = environment["DRYAD_TOKEN_MAX_TTL"] {
            guard let ttl = TimeWindow.duration(text), ttl > 0 else { throw .invalidInput("DRYAD_TOKEN_MAX_TTL: expected a duration like 30d") }
            limits.tokenMaxTTL = ttl
        }
        for (name, path) in [("DRYAD_MAX_RUNS", \DryadDatabase.Limits.maxRuns), ("DRYAD_MAX_RUNS_PER_PRINCIPAL", \.maxRunsPerPrincipal)] {
            guard let text = environment[name] else { continue }
            guard let count = Int(text), (1...10_000).contains(count) else { throw .invalidInput("\(name): expected a number from 1 to 10000") }
            limits[keyPath: path] = count
        }
        return limits
    }
}
