import CSandbox
import Foundation

/// The confinement of one run, set up from a tool's policy: a Landlock ruleset, a pids
/// cgroup, the user to switch to. The child applies it between fork and exec
/// (`dryad_spawn`); `release()` tears it down once the run has ended.
final class Confinement: Sendable {
    let rulesetFD: Int32
    let cgroup: RunCgroup
    let user: (uid: uid_t, gid: gid_t)?
    let denyNetwork: Bool
    let limits: SandboxLimits
    let cpuSeconds: UInt64

    /// Folders programs need to start and run: read and execute only. Missing ones are skipped.
    static let systemPaths = [
        "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/timezone",
        "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/host.conf", "/etc/resolv.conf",
        "/etc/gai.conf", "/etc/ssl", "/etc/ca-certificates", "/etc/alternatives", "/etc/mime.types",
        "/etc/os-release", "/etc/debian_version", "/etc/python3", "/etc/python3.11",
    ]
    /// Devices any program may use, read and write.
    static let devices = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"]

    private init(
        rulesetFD: Int32, cgroup: RunCgroup, user: (uid: uid_t, gid: gid_t)?, denyNetwork: Bool, limits: SandboxLimits,
        cpuSeconds: UInt64
    ) {
        self.rulesetFD = rulesetFD
        self.cgroup = cgroup
        self.user = user
        self.denyNetwork = denyNetwork
        self.limits = limits
        self.cpuSeconds = cpuSeconds
    }

    /// Sets up the confinement `policy` describes for a run in `workFolder`, or refuses with
    /// an error naming the property that cannot be had: a run never gets less than registered.
    ///
    /// `protected` are dryad's own files (the database and its folder, the key file): no path
    /// the run may reach may hold one of them.
    static func prepare(
        _ policy: SandboxPolicy, workFolder: String, cwd: String?, timeout: Double, settings: SandboxSettings,
        protected: [String], runID: String
    ) throws(DryadError) -> Confinement {
        let host = SandboxHost.current
        let abi = host.landlockABI
        guard abi >= 1 else {
            throw .toolFailed(
                "sandbox: this kernel offers no Landlock (Linux 5.13 or later with landlock in the lsm= list); an admin may give the tool sandbox mode none to run it unconfined"
            )
        }
        let user = try toolUser(settings)
        if user == nil && abi < 6 {
            // Without a user switch, only Landlock's signal scoping keeps the tool's hands off dryad.
            throw .toolFailed("sandbox: Landlock ABI \(abi) cannot scope signals (ABI 6, Linux 6.12, can); run dryad as root so tools run as another user")
        }
        let readable = policy.allowRead + (cwd.map { [$0] } ?? [])
        let writable = policy.allowWrite
        let granted = (readable + writable).map { ($0, SandboxHost.resolve($0)) } + host.systemPaths.map { ($0.path, $0.resolved) }
        try refuseReaching(protected.map(SandboxHost.resolve), from: granted)

        let ruleset = dryad_landlock_ruleset(Int32(abi), policy.network ? 0 : 1)
        guard ruleset >= 0 else { throw .toolFailed("sandbox: cannot create a Landlock ruleset: \(String(cString: strerror(errno)))") }
        do {
            for open in host.systemPaths { try allow(open, in: ruleset, abi: abi, writable: false) }
            for open in host.devices { try allow(open, in: ruleset, abi: abi, writable: true) }
            for path in readable { try allow(path, in: ruleset, abi: abi, writable: false) }
            for path in writable + [workFolder] { try allow(path, in: ruleset, abi: abi, writable: true) }
            let parent = try (settings.cgroup.map { PidsHierarchy.locate(override: $0) } ?? host.pidsParent).get()
            let cgroup = try RunCgroup(parent: parent, id: runID, processes: settings.limits.processes)
            return Confinement(
                rulesetFD: ruleset, cgroup: cgroup, user: user, denyNetwork: !policy.network, limits: settings.limits,
                cpuSeconds: SandboxLimits.cpuSeconds(timeout: timeout))
        } catch {
            close(ruleset)
            throw error
        }
    }

    /// Kills whatever the run left and frees the ruleset and the cgroup.
    func release() {
        close(rulesetFD)
        cgroup.remove()
    }

    /// The uid and gid tools run as, or nil to stay dryad's user (dryad is not root and no
    /// tool user was asked for).
    private static func toolUser(_ settings: SandboxSettings) throws(DryadError) -> (uid: uid_t, gid: gid_t)? {
        guard geteuid() == 0 else {
            if let name = settings.toolUser, name != currentUserName {
                throw .toolFailed("sandbox: tools can run as \(name) only when dryad runs as root")
            }
            return nil
        }
        let name = settings.toolUser ?? SandboxSettings.defaultToolUser
        let user = try SandboxHost.current.user(named: name)
        guard user.uid != 0 else { throw .toolFailed("sandbox: tool user \(name) is root; tools must run unprivileged") }
        return user
    }

    private static var currentUserName: String? {
        getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) }
    }

    /// Refuses a run whose readable or writable paths (given and resolved) would hold one of
    /// dryad's own files (resolved).
    private static func refuseReaching(_ protected: [String], from granted: [(path: String, resolved: String)]) throws(DryadError) {
        for own in protected {
            for (path, root) in granted where own == root || own.hasPrefix(root == "/" ? "/" : root + "/") {
                throw .toolFailed("sandbox: \(path) would let the tool reach dryad's own \(own); the run is refused")
            }
        }
    }

    private static func allow(_ path: String, in ruleset: Int32, abi: Int, writable: Bool) throws(DryadError) {
        guard dryad_landlock_allow(ruleset, Int32(abi), path, writable ? 1 : 0) == 0 else {
            throw .toolFailed("sandbox: cannot allow \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func allow(_ open: SandboxHost.OpenPath, in ruleset: Int32, abi: Int, writable: Bool) throws(DryadError) {
        guard dryad_landlock_allow_fd(ruleset, Int32(abi), open.fd, open.isDirectory ? 1 : 0, writable ? 1 : 0) == 0 else {
            throw .toolFailed("sandbox: cannot allow \(open.path): \(String(cString: strerror(errno)))")
        }
    }
}
