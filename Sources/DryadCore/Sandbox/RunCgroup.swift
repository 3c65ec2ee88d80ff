import Foundation

/// The cgroup of one contained run: made before the tool starts, joined by the child before
/// exec, emptied with SIGKILL when the tool ends (so `setsid` children die too), then removed.
final class RunCgroup: Sendable {
    let path: String
    /// cgroup.procs, open for writing: the child writes "0" to join.
    let procsFD: Int32
    /// cgroup v2's `cgroup.kill` (Linux 5.14) kills the whole cgroup at once; v1 has none.
    private let hasKillFile: Bool

    /// Makes `<parent>/dryad-run-<id>` with `pids.max` = `processes`.
    init(parent: String, id: String, processes: UInt64) throws(DryadError) {
        path = parent + "/dryad-run-" + id
        guard mkdir(path, 0o755) == 0 else {
            throw .toolFailed("sandbox: cannot make the run's cgroup in \(parent): \(String(cString: strerror(errno)))")
        }
        guard Self.write("\(processes)", to: path + "/pids.max") else {
            let reason = String(cString: strerror(errno))
            rmdir(path)
            throw .toolFailed("sandbox: cannot set the run's process limit: \(reason)")
        }
        hasKillFile = access(path + "/cgroup.kill", F_OK) == 0
        procsFD = open(path + "/cgroup.procs", O_WRONLY | O_CLOEXEC)
        guard procsFD >= 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(path)
            throw .toolFailed("sandbox: cannot open the run's cgroup: \(reason)")
        }
    }

    /// The processes in the cgroup now (read with plain system calls: this runs after every run).
    var members: [pid_t] {
        let fd = open(path + "/cgroup.procs", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { pid_t(String(decoding: $0, as: UTF8.self)) }
    }

    /// Sends `signal` to every process in the cgroup.
    func signal(_ signal: Int32) {
        for pid in members { kill(pid, signal) }
    }

    /// Kills every process in the cgroup and waits (briefly) until none is left. A process
    /// killed while forking may leave a child behind, so this repeats until the cgroup is empty.
    func killAll() {
        let useKill = hasKillFile && Self.write("1", to: path + "/cgroup.kill")
        for attempt in 0..<200 {
            let left = members
            if left.isEmpty { return }
            if !useKill { for pid in left { kill(pid, SIGKILL) } }
            if attempt > 0 { usleep(500) }
        }
    }

    /// Kills what is left and removes the cgroup.
    func remove() {
        close(procsFD)
        killAll()
        for _ in 0..<100 {
            if rmdir(path) == 0 || errno == ENOENT { return }
            usleep(1000)
        }
    }

    private static func write(_ text: String, to file: String) -> Bool {
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) == $0.count - 1 }
    }
}
