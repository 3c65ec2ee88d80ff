/// Where and as whom contained tools run, for one dryad process (`serve` or `tools execute`).
public struct SandboxSettings: Sendable, Equatable {
    /// The user tools run as when dryad runs as root; nil means `nobody`. Ignored otherwise
    /// unless set, which then refuses runs (only root can switch users).
    public var toolUser: String?
    /// A cgroup folder dryad may create run cgroups in; nil: found from /proc/self/cgroup.
    public var cgroup: String?
    public var limits = SandboxLimits()

    public init(toolUser: String? = nil, cgroup: String? = nil) {
        self.toolUser = toolUser
        self.cgroup = cgroup
    }

    /// The settings `DRYAD_TOOL_USER` and `DRYAD_CGROUP` give.
    public init(environment: [String: String]) {
        self.init(toolUser: environment["DRYAD_TOOL_USER"].flatMap { $0.isEmpty ? nil : $0 }, cgroup: environment["DRYAD_CGROUP"])
    }

    /// The user tools run as by default when dryad is root.
    public static let defaultToolUser = "nobody"
}
