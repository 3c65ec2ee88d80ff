import Foundation
@testable import DryadCore

/// A fresh folder under the system temp directory, removed when the test ends.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "dryad-core-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let testOperator = Principal.localOperator(user: "tester")

/// A tool definition with sensible defaults for tests.
func definition(_ name: String, version: String = "1.0.0", description: String = "A test tool",
                tags: [String] = [], status: ToolStatus = .active) -> ToolDefinition {
    ToolDefinition(name: name, version: version, description: description, tags: tags, status: status)
}
