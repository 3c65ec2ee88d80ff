import Foundation
import GRDB

/// Registers upstream MCP servers and turns their tools into dryad tools: the server registry's
/// named transactions. Every operation is admin-only: a server decides what runs.
public struct ServerRegistry: Sendable {
    let database: DryadDatabase

    /// Registers a server; its tools come with the first `sync`.
    public func add(_ draft: UpstreamServer, as principal: Principal) async throws(DryadError) -> UpstreamServer {
        var server = draft
        server.createdAt = database.now()
        server.changedAt = nil
        server.syncedAt = nil
        server.upstreamInfo = nil
        try server.check()
        return try await database.audited(principal, .serversAdd, "server:\(server.name)") { [server] db, note in
            if case .stdio(let command) = server.transport, command.sandbox.mode == .none { note.reason = "role admin; unconfined (sandbox none)" }
            try ServerStore.insert(server, by: principal.name, in: db)
            return try ServerStore.fetch(server.name, in: db)
        }
    }

    public func list(as principal: Principal) async throws(DryadError) -> [UpstreamServer] {
        try await database.audited(principal, .serversList, "servers") { db, _ in try ServerStore.all(in: db) }
    }

    public func get(_ name: String, as principal: Principal) async throws(DryadError) -> UpstreamServer {
        try await database.audited(principal, .serversGet, "server:\(name)") { db, _ in try ServerStore.fetch(name, in: db) }
    }

    /// Removes a server: its tools are deprecated (their runs fail until it is added again and
    /// synced), and what `client` holds for it (its process) ends.
    @discardableResult
    public func remove(_ name: String, client: (any UpstreamClient)?, as principal: Principal) async throws(DryadError) -> [String] {
        let now = database.now()
        let deprecated = try await database.audited(principal, .serversRemove, "server:\(name)") { db, _ in
            _ = try ServerStore.fetch(name, in: db)
            try ServerStore.delete(name, in: db)
            return try ToolRegistry.latestOnServer(name, in: db).filter { $0.status == .active }.map { tool in
                try ToolRegistry.change(tool, ToolChanges(status: .deprecated), at: now, in: db).name
            }
        }
        await client?.disconnect(name)
        return deprecated
    }

    /// Asks the server for its tools and makes dryad's match: new tools registered, changed
    /// schemas as new versions, other changes in place, tools gone upstream deprecated.
    public func sync(_ name: String, using client: any UpstreamClient, as principal: Principal) async throws(DryadError) -> SyncReport {
        // The upstream is asked outside the transaction (it may take seconds), and only for an admin.
        try await database.requireUpFront(principal, .serversSync, "server:\(name)")
        let server = try await database.read { db in try ServerStore.fetch(name, in: db) }
        let listing = try await client.listTools(of: server)
        let now = database.now()
        return try await database.audited(principal, .serversSync, "server:\(name)") { db, note in
            // The server may have been removed or changed while it was asked.
            guard try ServerStore.fetchOptional(name, in: db)?.transport == server.transport else {
                throw DryadError.conflict("server \(name) changed during the sync; sync it again")
            }
            let report = try ServerSync(server: server, listing: listing, now: now).apply(in: db)
            try ServerStore.recordSync(name, upstream: listing.serverInfo, at: now, in: db)
            note.reason =
                "role admin; \(report.added.count) added, \(report.versioned.count) versioned, \(report.updated.count) updated, \(report.deprecated.count) deprecated"
            return report
        }
    }

    /// Marks the server changed after its upstream said its tools changed; false when the
    /// server is no longer registered. Not audited: it records what the upstream said, not a decision.
    public func markChanged(_ name: String) async throws(DryadError) -> Bool {
        let now = database.now()
        return try await database.write { db in try ServerStore.markChanged(name, at: now, in: db) }
    }

    /// Who an automatic sync acts as in the audit trail: dryad itself. `local:` names cannot be
    /// given to principals, so no one else can appear as it.
    public static let autoSyncPrincipal = Principal(name: "local:dryad", kind: .service, role: .admin)

    /// Takes an upstream's word that its tools changed: the server is marked changed, and
    /// synced at once if its admin chose `auto_sync` (as `autoSyncPrincipal`). Returns the
    /// sync's report, or nil when none ran.
    public func upstreamToolsChanged(_ name: String, using client: any UpstreamClient) async throws(DryadError) -> SyncReport? {
        guard try await markChanged(name) else { return nil }
        let server = try await database.read { db in try ServerStore.fetchOptional(name, in: db) }
        guard server?.autoSync == true else { return nil }
        return try await sync(name, using: client, as: Self.autoSyncPrincipal)
    }

    /// The server a run of an `mcp` tool goes to; not audited (the run is).
    func server(for endpoint: UpstreamEndpoint) async throws(DryadError) -> UpstreamServer? {
        try await database.read { db in try ServerStore.fetchOptional(endpoint.server, in: db) }
    }
}

extension DryadDatabase {
    public var servers: ServerRegistry { ServerRegistry(database: self) }
}
