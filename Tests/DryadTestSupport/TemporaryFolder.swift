import Foundation

/// A fresh folder under the system temp directory, removed with everything in it when the
/// last reference goes (at the end of the test that made it).
public final class TemporaryFolder: Sendable {
    public let path: String

    /// - Parameter prefix: names the suite in the folder name, so a leftover says whose it is.
    public init(prefix: String = "dryad-tests") throws {
        path = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
