import Foundation

/// The cgroup folder dryad makes each run's cgroup in: one with the `pids` controller, so a
/// run's process count has a ceiling root cannot escape (`RLIMIT_NPROC` does not bind root) and
/// everything a run started, `setsid` or not, can be found and killed.
enum PidsHierarchy {
    /// The folder, or why there is none. `override` is `DRYAD_CGROUP`.
    static func locate(override: String?) -> Result<String, DryadError> {
        if let override {
            guard access(override + "/cgroup.procs", W_OK) == 0 else {
                return .failure(.toolFailed("sandbox: DRYAD_CGROUP \(override) is not a cgroup folder dryad can write to"))
            }
            return .success(override)
        }
        guard let lines = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else {
            return .failure(unavailable("/proc/self/cgroup cannot be read"))
        }
        // cgroup v1 (this machine): "8:pids:/path" with the hierarchy mounted at /sys/fs/cgroup/pids.
        for line in lines.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[1].split(separator: ",").contains("pids") else { continue }
            let folder = "/sys/fs/cgroup/pids" + (fields[2] == "/" ? "" : String(fields[2]))
            if access(folder + "/cgroup.procs", W_OK) == 0 { return .success(folder) }
        }
        // cgroup v2: run cgroups go under dryad's own, which needs `pids` in its subtree_control;
        // the kernel refuses that while dryad's cgroup holds processes (unless it is the root).
        for line in lines.split(separator: "\n") where line.hasPrefix("0::") {
            let folder = "/sys/fs/cgroup" + (line.dropFirst(3) == "/" ? "" : String(line.dropFirst(3)))
            guard let controllers = try? String(contentsOfFile: folder + "/cgroup.controllers", encoding: .utf8),
                controllers.split(whereSeparator: \.isWhitespace).contains("pids")
            else { continue }
            let control = folder + "/cgroup.subtree_control"
            let enabled = (try? String(contentsOfFile: control, encoding: .utf8))?.split(whereSeparator: \.isWhitespace).contains("pids") ?? false
            if enabled || (try? "+pids".write(toFile: control, atomically: false, encoding: .utf8)) != nil {
                return .success(folder)
            }
        }
        return .failure(unavailable("no pids cgroup is writable"))
    }

    private static func unavailable(_ why: String) -> DryadError {
        .toolFailed(
            "sandbox: cannot limit and collect the run's processes: \(why); run dryad as root, set DRYAD_CGROUP to a delegated cgroup, or give the tool sandbox mode none"
        )
    }
}
