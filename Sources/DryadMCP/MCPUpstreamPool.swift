import DryadCore
import Foundation
import Synchronization

/// dryad's `UpstreamClient`: one open link per upstream server, made on first use and reused
/// by every call after it (a stdio server's program keeps running; an HTTP server's
/// connections and session are kept). A link whose program died or whose session ended is
/// replaced at the next call, so a crashed server is restarted by the call that needs it; a
/// server whose transport was changed gets a new link.
public actor MCPUpstreamPool: UpstreamClient {
    /// One server's link, or its opening in progress (two first calls open one link).
    private struct Entry {
        let transport: UpstreamTransport
        let link: MCPUpstreamLink
        let opening: Task<MCPUpstreamLink, any Error>
    }

    private let launcher: ServerLauncher
    private let database: DryadDatabase
    private var entries: [String: Entry] = [:]
    /// Servers whose sync after `tools/list_changed` is running, and those changed again since:
    /// one sync per server at a time, however often an upstream says it changed.
    private var syncing: Set<String> = []
    private var changedAgain: Set<String> = []

    /// The most pages of `tools/list` read at a sync, and the most tools taken from them.
    static let maxPages = 100
    static let maxTools = 10_000
    /// How long connecting and `initialize` may take.
    static let openTimeout: Duration = .seconds(20)

    /// Reaches the servers registered in `database`, starting their programs with `environment`
    /// (dryad's own: PATH, HOME, LANG and `${NAME}`) and the sandbox settings it gives.
    public init(database: DryadDatabase, environment: [String: String]) {
        self.database = database
        self.launcher = database.serverLauncher(environment: environment)
    }

    /// An upstream said its tools changed: the core marks the server and syncs it if asked to.
    private nonisolated func toolsChanged(_ name: String) {
        Task { await self.coalescedChange(name) }
    }

    private func coalescedChange(_ name: String) async {
        guard syncing.insert(name).inserted else {
            changedAgain.insert(name)
            return
        }
        repeat {
            _ = try? await database.servers.upstreamToolsChanged(name, using: self)
        } while changedAgain.remove(name) != nil
        syncing.remove(name)
    }

    public func listTools(of server: UpstreamServer) async throws(DryadError) -> UpstreamListing {
        let link = try await link(for: server)
        var tools: [UpstreamTool] = []
        var cursor: JSONValue?
        for _ in 0..<Self.maxPages {
            let params: JSONValue = cursor.map { .object(["cursor": $0]) } ?? .object([:])
            let page: [String: JSONValue]
            switch await link.request("tools/list", params, timeout: Self.openTimeout) {
            case .result(.object(let fields)): page = fields
            case .result: throw .toolFailed("server \(server.name): tools/list answered with something other than an object")
            case .refused(_, let message): throw .toolFailed("server \(server.name) refused tools/list: \(message)")
            case .timedOut: throw .toolFailed("server \(server.name) did not answer tools/list within \(Self.openTimeout)")
            case .cancelled: throw .toolFailed("cancelled")
            case .failed(let reason): throw .toolFailed("server \(server.name): \(reason)")
            }
            guard case .array(let items)? = page["tools"] else { throw .toolFailed("server \(server.name): tools/list gave no tools array") }
            for item in items {
                guard tools.count < Self.maxTools else { throw .toolFailed("server \(server.name) lists more than \(Self.maxTools) tools") }
                tools.append(try Self.tool(from: item, server: server.name))
            }
            guard let next = page["nextCursor"], next != .null else {
                return UpstreamListing(tools: tools, serverInfo: await link.serverInfo)
            }
            cursor = next
        }
        throw .toolFailed("server \(server.name): tools/list went on for more than \(Self.maxPages) pages")
    }

    public func call(_ tool: String, arguments: JSONValue, on server: UpstreamServer, timeout: Duration) async -> UpstreamCallEnding {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let link: MCPUpstreamLink
        do {
            link = try await self.link(for: server, waiting: timeout)
        } catch {
            if Task.isCancelled { return .cancelled }
            return clock.now >= deadline ? .timedOut : .failed(error.message)
        }
        let params: JSONValue = .object(["name": .string(tool), "arguments": arguments])
        switch await link.request("tools/call", params, timeout: max(.zero, deadline - clock.now)) {
        case .result(.object(let fields)):
            let isError = fields["isError"] == .bool(true)
            let structured = fields["structuredContent"].flatMap { $0 == .null ? nil : $0 }
            return .answered(content: fields["content"] ?? .array([]), structured: structured, isError: isError)
        case .result: return .failed("tools/call answered with something other than an object")
        case .refused(_, let message): return .failed("refused the call: \(message)")
        case .timedOut: return .timedOut
        case .cancelled: return .cancelled
        case .failed(let reason): return .failed(reason)
        }
    }

    public func disconnect(_ name: String) async {
        guard let entry = entries.removeValue(forKey: name) else { return }
        // An opening in progress (a program that never answers) is cancelled, not waited out.
        entry.opening.cancel()
        if let link = try? await entry.opening.value { await link.close("the server was removed") }
    }

    /// Whether a link to `name` is being opened (started, not yet through `initialize`).
    func isOpening(_ name: String) async -> Bool {
        guard let link = entries[name]?.link else { return false }
        let (open, closed) = (await link.isOpen, await link.isClosed)
        return !open && !closed
    }

    /// Ends every link (dryad is stopping): programs are stopped, sessions ended.
    public func shutdown() async {
        let all = entries
        entries = [:]
        for entry in all.values {
            entry.opening.cancel()
            if let link = try? await entry.opening.value { await link.close("dryad is stopping") }
        }
    }

    /// The open link to `server`, opened (or reopened) when there is none. Opening has its own
    /// timeout, whoever asked first; each caller waits for it at most `waiting`.
    private func link(for server: UpstreamServer, waiting: Duration = openTimeout) async throws(DryadError) -> MCPUpstreamLink {
        if let entry = entries[server.name] {
            if entry.transport == server.transport, let link = try? await entry.opening.value, await !link.isClosed {
                return link
            }
            // Closed, failed to open, or re-registered with another transport: start again.
            if entries[server.name]?.opening == entry.opening { entries[server.name] = nil }
            if let link = try? await entry.opening.value { await link.close("replaced") }
        }
        if let entry = entries[server.name], entry.transport == server.transport {
            return try await Self.value(of: entry.opening, waiting: waiting)
        }
        let launcher = self.launcher
        let name = server.name
        let link = MCPUpstreamLink(server: name) { [weak self] in self?.toolsChanged(name) }
        let opening = Task { () async throws -> MCPUpstreamLink in
            switch server.transport {
            case .stdio(let command):
                let transport = try MCPUpstreamStdio.start(command, server: name, launcher: launcher, link: link)
                try await link.open(transport, timeout: Self.openTimeout)
            case .http(let endpoint):
                let transport = try await MCPUpstreamHTTP.connect(endpoint, environment: launcher.templateSource)
                try await link.open(transport, timeout: Self.openTimeout)
            }
            return link
        }
        entries[server.name] = Entry(transport: server.transport, link: link, opening: opening)
        return try await Self.value(of: opening, waiting: waiting)
    }

    /// The opened link, or a failure when opening failed or took longer than `waiting` (the
    /// opening goes on for the callers after this one).
    private static func value(of opening: Task<MCPUpstreamLink, any Error>, waiting: Duration) async throws(DryadError) -> MCPUpstreamLink {
        let race = FirstOf<Result<MCPUpstreamLink, DryadError>>()
        let result = await race.wait {
            Task {
                do {
                    race.settle(.success(try await opening.value))
                } catch let error as DryadError {
                    race.settle(.failure(error))
                } catch {
                    race.settle(.failure(.toolFailed(String(describing: error))))
                }
            }
            Task {
                try? await Task.sleep(for: waiting)
                race.settle(.failure(.toolFailed("still connecting after \(waiting)")))
            }
        }
        return try result.get()
    }

    /// Reads one tool of a `tools/list` answer.
    static func tool(from item: JSONValue, server: String) throws(DryadError) -> UpstreamTool {
        guard case .object(let fields) = item, case .string(let name)? = fields["name"], !name.isEmpty,
            name.utf8.count <= UpstreamNaming.maxUpstreamNameBytes
        else {
            throw .toolFailed("server \(server): tools/list gave a tool without a usable name")
        }
        func text(_ key: String) -> String? { if case .string(let value)? = fields[key] { value } else { nil } }
        let output = fields["outputSchema"].flatMap { $0 == .null ? nil : $0 }
        return UpstreamTool(
            name: name, title: text("title"), description: text("description"),
            inputSchema: fields["inputSchema"] ?? .object(["type": .string("object")]), outputSchema: output,
            annotations: fields["annotations"].flatMap { $0 == .null ? nil : $0 })
    }
}
