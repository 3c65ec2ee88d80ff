import Foundation
import GRDB

/// One sync's changes to the tools of an upstream server, applied in the sync's transaction.
///
/// Each taken upstream tool becomes the dryad tool `UpstreamNaming.dryadName`: registered at
/// 1.0.0 when new; given a new minor version when its input or output schema changed (a
/// version's schemas are fixed); updated in place when only its description, title,
/// annotations or the upstream's version changed, or when it was deprecated and is back. A
/// tool of this server that is no longer listed (or no longer taken) is deprecated.
struct ServerSync {
    let server: UpstreamServer
    let listing: UpstreamListing
    let now: String

    /// Tags every synced tool carries, so `tools list --tag mcp:NAME` finds a server's tools.
    var tags: [String] { ["mcp", "mcp:\(server.name)"] }

    func apply(in db: Database) throws -> SyncReport {
        var report = SyncReport(server: server.name)
        report.upstreamInfo = listing.serverInfo
        var existing = Dictionary(try ToolRegistry.latestOnServer(server.name, in: db).map { ($0.name, $0) }) { first, _ in first }
        var seen: Set<String> = []
        for tool in listing.tools.sorted(by: { $0.name < $1.name }) where server.takes(tool.name) {
            let name = UpstreamNaming.dryadName(prefix: server.prefix, tool: tool.name)
            guard seen.insert(name).inserted else {
                report.skipped.append(.init(tool: tool.name, reason: "another upstream tool maps to \(name)"))
                continue
            }
            if let current = existing.removeValue(forKey: name) {
                // One tool's change that fails (a version that clashes) is skipped, not the sync.
                var attempt = report
                do {
                    try db.inSavepoint {
                        try update(current, to: tool, in: db, into: &attempt)
                        return .commit
                    }
                    report = attempt
                } catch let error as DryadError {
                    report.skipped.append(.init(tool: tool.name, reason: error.message))
                }
            } else if try ToolRegistry.resolveOptional(.nameOrID(name), byNameOnly: true, in: db) != nil {
                report.skipped.append(.init(tool: tool.name, reason: "the name \(name) belongs to a tool that does not run on this server"))
            } else {
                let definition = self.definition(of: tool, named: name, version: ToolDefinition.defaultVersion, timeout: nil)
                do {
                    try ToolRules.check(definition, path: "")
                } catch {
                    report.skipped.append(.init(tool: tool.name, reason: error.message))
                    continue
                }
                _ = try ToolRegistry.insert(definition, at: now, in: db)
                report.added.append(name)
            }
        }
        for gone in existing.values.sorted(by: { $0.name < $1.name }) where gone.status == .active {
            _ = try ToolRegistry.change(gone, ToolChanges(status: .deprecated), at: now, in: db)
            report.deprecated.append(gone.name)
        }
        return report
    }

    private func update(_ current: ToolVersion, to tool: UpstreamTool, in db: Database, into report: inout SyncReport) throws {
        let timeout = current.executor?.timeoutSeconds
        if current.inputSchema != tool.inputSchema || current.outputSchema != tool.outputSchema {
            let version = Self.nextMinor(after: try ToolRegistry.versions(toolID: current.id, in: db))
            let definition = self.definition(of: tool, named: current.name, version: version, timeout: timeout)
            do {
                try ToolRules.check(definition, path: "")
            } catch {
                report.skipped.append(.init(tool: tool.name, reason: error.message))
                return
            }
            _ = try ToolRegistry.insert(definition, at: now, in: db)
            report.versioned.append("\(current.name)@\(version)")
            return
        }
        let wanted = definition(of: tool, named: current.name, version: current.version, timeout: timeout)
        var changes = ToolChanges()
        if wanted.description != current.description { changes.description = wanted.description }
        if wanted.metadata != current.metadata { changes.metadata = wanted.metadata }
        if current.status == .deprecated { changes.status = .active }
        if changes.isEmpty {
            report.unchanged.append(current.name)
            return
        }
        do {
            if let description = changes.description { try ToolRules.checkDescription(description, path: "description") }
            if let metadata = changes.metadata { try ToolRules.checkMetadata(metadata, path: "metadata") }
        } catch {
            report.skipped.append(.init(tool: tool.name, reason: error.message))
            return
        }
        _ = try ToolRegistry.change(current, changes, at: now, in: db)
        report.updated.append(current.name)
    }

    /// The dryad definition of `tool`: its schemas, its description (or title, or a stand-in),
    /// its title and annotations where dryad's MCP front reads them, and where it came from.
    func definition(of tool: UpstreamTool, named name: String, version: String, timeout: Double?) -> ToolDefinition {
        var metadata: [String: JSONValue] = [:]
        if let title = tool.title { metadata["title"] = .string(title) }
        if let annotations = tool.annotations { metadata["annotations"] = annotations }
        var origin: [String: JSONValue] = ["server": .string(server.name), "tool": .string(tool.name)]
        if case .object(let info)? = listing.serverInfo, let upstreamVersion = info["version"] { origin["upstream_version"] = upstreamVersion }
        metadata["mcp"] = .object(origin)
        let given = tool.description?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let description =
            given.isEmpty ? (tool.title ?? "\(tool.name) on MCP server \(server.name)") : Self.cut(given, bytes: ToolRules.maxDescriptionLength)
        return ToolDefinition(
            name: name, version: version, description: description, inputSchema: tool.inputSchema, outputSchema: tool.outputSchema,
            executor: .mcp(UpstreamEndpoint(server: server.name, tool: tool.name, timeoutSeconds: timeout ?? ToolEndpoint.defaultTimeoutSeconds)),
            tags: tags, metadata: metadata)
    }

    /// `MAJOR.(MINOR+1).0` of the highest of `versions` (disabled ones included, so the new
    /// version never clashes with one an operator set aside).
    static func nextMinor(after versions: [String]) -> String {
        guard let highest = versions.compactMap(SemanticVersion.init).max(), let major = Int(highest.major), let minor = Int(highest.minor) else {
            return "1.1.0"
        }
        return "\(major).\(minor + 1).0"
    }

    /// `text` cut to at most `bytes` UTF-8 bytes on a character boundary.
    static func cut(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var count = 0
        return String(
            text.prefix { character in
                count += character.utf8.count
                return count <= bytes
            })
    }
}
