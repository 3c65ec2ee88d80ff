import Foundation
import GRDB

/// Filters for listing tools.
public struct ToolQuery: Sendable, Equatable {
    /// Case-insensitive substring of the name, the description or a tag.
    public var text: String?
    /// Every listed tool version carries all of these tags.
    public var tags: [String]
    public var status: ToolStatus?
    /// List every version instead of the latest version of each tool.
    public var allVersions: Bool

    public init(text: String? = nil, tags: [String] = [], status: ToolStatus? = nil, allVersions: Bool = false) {
        self.text = text
        self.tags = tags
        self.status = status
        self.allVersions = allVersions
    }
}
