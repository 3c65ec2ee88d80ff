@testable import DryadCore

let testOperator = Principal.localOperator(user: "tester")

/// A tool definition with sensible defaults for tests.
func definition(
    _ name: String, version: String = "1.0.0", description: String = "A test tool",
    tags: [String] = [], status: ToolStatus = .active
) -> ToolDefinition {
    ToolDefinition(name: name, version: version, description: description, tags: tags, status: status)
}
