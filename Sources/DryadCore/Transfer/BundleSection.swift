import Foundation
import GRDB

/// A part of the database a bundle may carry.
public enum BundleSection: String, Sendable, CaseIterable, Codable {
    case tools, principals, permissions, memory, errors, executions, audit

    /// The tables of a section, in the order their rows are written (referenced tables first).
    var tables: [BundleTable] {
        switch self {
        case .tools: [.init("tool_registry", order: "name"), .init("tool_version", order: "tool_id, version_key")]
        case .principals: [.init("principal", order: "name")]
        case .permissions: [.init("tool_permission", order: "tool_id, principal_name, principal_type, level")]
        case .memory:
            [
                .init("memory_context", order: "seq"), .init("memory_version", order: "context_id, version"),
                .init("memory_share", order: "context_id, agent_id"), .init("memory_share_event", order: "seq"),
            ]
        case .errors: [.init("error_log", order: "created_at, id")]
        case .executions: [.init("tool_session", order: "created_at, id"), .init("tool_execution", order: "started_at, id")]
        // The audit key travels sealed: the bundle's chain verifies only with the same key file.
        case .audit: [.init("dryad_secret", order: "name"), .init("audit_checkpoint", order: "id"), .init("audit_log", order: "seq")]
        }
    }

    /// Sections whose rows reference rows of these sections.
    var requires: [BundleSection] {
        switch self {
        case .permissions: [.tools, .principals]
        case .errors: [.memory]
        default: []
        }
    }

    /// Checks that a selection carries every section its rows point at.
    static func check(_ sections: Set<BundleSection>) throws(DryadError) {
        guard !sections.isEmpty else { throw .invalidInput("include: name at least one section") }
        for section in BundleSection.allCases where sections.contains(section) {
            if let missing = section.requires.first(where: { !sections.contains($0) }) {
                throw .invalidInput("include: \(section.rawValue) needs \(missing.rawValue) too (its rows point at them)")
            }
        }
    }
}
