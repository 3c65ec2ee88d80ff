import Foundation

/// The package's folder, for tests that read its files (the README, generated docs, the
/// JSON Schema suite beside it). Found from this file's place, `Tests/DryadTestSupport/`, so a
/// test moving between folders does not change what it reads.
public let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
