import Foundation
import GRDB

/// Filters for listing tools.
public struct ToolQuery: Sendable, Equatable {
    /// Case-insensitive substring of the name, the description or a tag.
    public var text: String?
    /// Every listed tool version carries all of these tags.
    public var tags: [String]
    public var status: ToolStatus?
    /// Only command tools with this sandbox mode (`none` finds every unconfined tool).
    public var sandbox: SandboxPolicy.Mode?
    /// List every version instead of the latest version of each tool.
    public var allVersions: Bool
    /// Only tools the caller holds this level on (`execute`: the tools it may run, as an
    /// agent's host lists them); nil or `read` for every tool it may see.
    public var can: ToolLevel?

    public init(
        text: String? = nil, tags: [String] = [], status: ToolStatus? = nil, sandbox: SandboxPolicy.Mode? = nil, allVersions: Bool = false,
        can: ToolLevel? = nil
    ) {
        self.can = can
        self.sandbox = sandbox
        self.text = text
        self.tags = tags
        self.status = status
        self.allVersions = allVersions
    }
}
