import DryadCore
import Testing

@testable import DryadCLI

/// Which file a command opens: `--db`, then `DRYAD_DB`, then the XDG data folder.
struct DatabaseLocationTests {
    @Test func resolvesTheDatabaseLocation() throws {
        #expect(try DatabaseLocation.resolve(explicit: "/x.db", environment: ["DRYAD_DB": "/y.db"]) == "/x.db")
        #expect(try DatabaseLocation.resolve(explicit: nil, environment: ["DRYAD_DB": "/y.db", "HOME": "/h"]) == "/y.db")
        #expect(try DatabaseLocation.resolve(explicit: nil, environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]) == "/d/dryad/dryad.db")
        #expect(try DatabaseLocation.resolve(explicit: nil, environment: ["HOME": "/h"]) == "/h/.local/share/dryad/dryad.db")
        #expect(throws: DryadError.invalidInput("cannot find the database: pass --db PATH or set DRYAD_DB (HOME is not set)")) {
            try DatabaseLocation.resolve(explicit: nil, environment: [:])
        }
        #expect(throws: DryadError.invalidInput("--db: the path is empty")) {
            try DatabaseLocation.resolve(explicit: "", environment: ["DRYAD_DB": "/y.db"])
        }
    }

    @Test func readsLimitsFromTheEnvironment() throws {
        let limits = try DryadDatabase.Limits.from(environment: ["DRYAD_MEMORY_MAX_BYTES": "2048", "DRYAD_TOKEN_MAX_TTL": "2h"])
        #expect(limits.memoryMaxBytes == 2048 && limits.tokenMaxTTL == 7200)
        #expect(try DryadDatabase.Limits.from(environment: [:]) == DryadDatabase.Limits())
        #expect(throws: DryadError.self) { try DryadDatabase.Limits.from(environment: ["DRYAD_MEMORY_MAX_BYTES": "0"]) }
        #expect(throws: DryadError.self) { try DryadDatabase.Limits.from(environment: ["DRYAD_TOKEN_MAX_TTL": "soon"]) }
    }
}
