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
func definition(
    _ name: String, version: String = "1.0.0", description: String = "A test tool",
    tags: [String] = [], status: ToolStatus = .active
) -> ToolDefinition {
    ToolDefinition(name: name, version: version, description: description, tags: tags, status: status)
}

/// A small seeded generator, so randomised tests fail the same way every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The code of the `DryadError` that `body` throws, or a description of what happened instead
/// (so `#expect(errorCode { … } == "invalid_input")` fails on no error or another error).
func errorCode(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch let error as DryadError {
        return error.code
    } catch {
        return "not a DryadError: \(error)"
    }
}

/// `errorCode` for async work.
func errorCode(_ body: () async throws -> Void) async -> String {
    do {
        try await body()
        return "no error"
    } catch let error as DryadError {
        return error.code
    } catch {
        return "not a DryadError: \(error)"
    }
}
