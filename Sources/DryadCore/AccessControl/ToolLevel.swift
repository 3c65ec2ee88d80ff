import Foundation
import GRDB

/// A level of access to one tool: `read` sees it, `execute` runs it, `write` changes it.
public enum ToolLevel: String, Sendable, Codable, CaseIterable {
    case read, write, execute
}
