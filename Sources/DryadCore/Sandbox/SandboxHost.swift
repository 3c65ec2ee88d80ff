import CSandbox
import Foundation
import Synchronization

/// What this machine offers every contained run, found once per process: the Landlock ABI,
/// the pids cgroup to make run cgroups in, the system folders already open (`O_PATH`) with
/// their resolved paths, and the tool users looked up. Per run, this left a third of the cost
/// of containment (`Benchmarks/sandbox.sh`: 30 % fewer runs/s with it done per run).
final class SandboxHost: Sendable {
    /// A path opened once, for Landlock rules.
    struct OpenPath: Sendable {
        let path: String
        /// With symbolic links resolved, to compare with dryad's own files.
        let resolved: String
        let fd: Int32
        let isDirectory: Bool
    }

    static let current = SandboxHost()

    let landlockABI: Int
    /// The pids hierarchy found from /proc/self/cgroup (`DRYAD_CGROUP` is checked per run).
    let pidsParent: Result<String, DryadError>
    let systemPaths: [OpenPath]
    let devices: [OpenPath]
    private let users = Mutex<[String: (uid: uid_t, gid: gid_t)]>([:])

    private init() {
        landlockABI = Int(dryad_landlock_abi())
        pidsParent = PidsHierarchy.locate(override: nil)
        systemPaths = Confinement.systemPaths.compactMap(Self.open)
        devices = Confinement.devices.compactMap(Self.open)
    }

    private static func open(_ path: String) -> OpenPath? {
        var isDirectory: Int32 = 0
        let fd = dryad_open_path(path, &isDirectory)
        guard fd >= 0 else { return nil }
        return OpenPath(path: path, resolved: resolve(path), fd: fd, isDirectory: isDirectory != 0)
    }

    /// `path` with symbolic links resolved (as far as it exists), so a link cannot hide a file.
    static func resolve(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }

    /// The uid and gid of `name`, looked up once.
    func user(named name: String) throws(DryadError) -> (uid: uid_t, gid: gid_t) {
        if let known = users.withLock({ $0[name] }) { return known }
        guard let entry = getpwnam(name) else { throw .toolFailed("sandbox: tool user \(name) does not exist") }
        let found = (entry.pointee.pw_uid, entry.pointee.pw_gid)
        users.withLock { $0[name] = found }
        return found
    }
}
