import DryadCore
import DryadTestSupport
import Foundation
import Testing

@testable import DryadCLI

/// Exit statuses are defined once and documented as defined.
struct ExitStatusTests {
    @Test func everyErrorExitsWithADocumentedStatus() {
        let errors: [DryadError] = [
            .notFound("x"), .permissionDenied("x"), .conflict("x"), .stale("x"), .schemaTooNew(found: 9, supported: 8),
            .invalidInput("x"), .busy("x"), .toolFailed("x"), .storage("x"), .advised(.conflict("x"), Advice(.option("y"))),
            .limited("x", retryAfterSeconds: 1), .quotaExceeded("x"),
        ]
        let documented = Set(ExitStatus.table.map(\.status))
        for error in errors {
            #expect(documented.contains(DryadMain.exitCode(for: error)), "\(error.code)")
        }
    }

    @Test func theReadmeTableListsTheSameStatuses() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "| exit | code | meaning |"))
        let rows = readme[start.upperBound...].split(separator: "\n").dropFirst().prefix { $0.hasPrefix("|") }
        let statuses = rows.compactMap { Int32($0.split(separator: "|").first?.trimmingCharacters(in: .whitespaces) ?? "") }
        #expect(statuses == ExitStatus.table.map(\.status))
    }
}
