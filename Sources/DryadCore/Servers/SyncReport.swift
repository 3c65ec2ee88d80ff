/// What a sync did to the tools of one upstream server, by dryad tool name.
public struct SyncReport: Sendable, Equatable {
    public var server: String
    /// New tools (version 1.0.0).
    public var added: [String] = []
    /// Tools whose schemas changed upstream: a new version each (`NAME@VERSION`).
    public var versioned: [String] = []
    /// Tools whose description, annotations or status changed, updated in place.
    public var updated: [String] = []
    /// Tools gone upstream (or no longer taken): deprecated, not deleted.
    public var deprecated: [String] = []
    public var unchanged: [String] = []
    /// Upstream tools not taken, with the reason (a name held by another tool, a schema dryad cannot use).
    public var skipped: [Skipped] = []
    /// What the upstream said of itself.
    public var upstreamInfo: JSONValue?

    /// One upstream tool a sync left out.
    public struct Skipped: Sendable, Equatable {
        public var tool: String
        public var reason: String
    }

    public init(server: String) {
        self.server = server
    }

    /// The report as JSON, for `-o json` and REST.
    public var json: JSONValue {
        func names(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }
        return .object([
            "server": .string(server),
            "added": names(added),
            "versioned": names(versioned),
            "updated": names(updated),
            "deprecated": names(deprecated),
            "unchanged": names(unchanged),
            "skipped": .array(skipped.map { .object(["tool": .string($0.tool), "reason": .string($0.reason)]) }),
            "upstream": upstreamInfo ?? .null,
        ])
    }
}
