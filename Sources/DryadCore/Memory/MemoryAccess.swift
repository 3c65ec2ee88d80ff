import Foundation

/// What another agent may do with a shared context and its descendants.
public enum MemoryAccess: String, Sendable, Codable, CaseIterable {
    case read, write
}
