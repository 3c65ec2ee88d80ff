import Foundation

/// A folder a contained tool may be allowed to write in (`--allow-write`): away from the
/// database's folder, which no tool may reach, and open to the unprivileged tool user.
public final class ToolFiles: Sendable {
    private let folder: TemporaryFolder
    public var path: String { folder.path }

    public init() throws {
        folder = try TemporaryFolder(prefix: "dryad-tool-files")
        chmod(folder.path, 0o777)
    }
}
