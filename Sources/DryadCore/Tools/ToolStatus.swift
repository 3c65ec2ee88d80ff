import Foundation

/// The lifecycle state of one tool version.
public enum ToolStatus: String, Sendable, Codable, CaseIterable {
    case active, deprecated, disabled
}
