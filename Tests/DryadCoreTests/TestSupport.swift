import Foundation

@testable import DryadCore

let testOperator = Principal.localOperator(user: "tester")

/// A tool definition with sensible defaults for tests.
func definition(
    _ name: String, version: String = "1.0.0", description: String = "A test tool",
    tags: [String] = [], status: ToolStatus = .active
) -> ToolDefinition {
    ToolDefinition(name: name, version: version, description: description, tags: tags, status: status)
}

/// True while `pid` exists and is not a zombie.
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}
