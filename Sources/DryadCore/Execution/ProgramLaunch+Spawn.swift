import CSandbox
import Foundation

extension ProgramLaunch {
    /// Starts the program with the given descriptors as its stdin, stdout and stderr, confined
    /// as `confinement` says (applied in the child between fork and exec, `dryad_spawn`).
    func spawn(stdin: Int32, stdout: Int32, stderr: Int32) -> Result<(pid: pid_t, pidfd: Int32), DryadError> {
        let argv = self.argv.map { strdup($0) } + [nil]
        let envp = self.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var spec = dryad_spawn()
        spec.stdin_fd = stdin
        spec.stdout_fd = stdout
        spec.stderr_fd = stderr
        spec.ruleset_fd = -1
        spec.cgroup_procs_fd = -1
        if let confinement {
            spec.confine = 1
            spec.ruleset_fd = confinement.rulesetFD
            spec.cgroup_procs_fd = confinement.cgroup.procsFD
            if let user = confinement.user {
                spec.change_user = 1
                spec.uid = user.uid
                spec.gid = user.gid
            }
            spec.deny_network = confinement.denyNetwork ? 1 : 0
            spec.cpu_seconds = confinement.cpuSeconds
            spec.address_space_bytes = confinement.limits.memoryBytes
            spec.open_files = confinement.limits.openFiles
            spec.file_size_bytes = confinement.limits.fileSizeBytes
        }
        var result = dryad_spawned()
        let status = path.withCString { path in
            workingDirectory.withCString { folder in
                argv.withUnsafeBufferPointer { argvBuffer in
                    envp.withUnsafeBufferPointer { envpBuffer in
                        spec.path = path
                        spec.work_dir = folder
                        spec.argv = argvBuffer.baseAddress!
                        spec.envp = envpBuffer.baseAddress!
                        return dryad_spawn(&spec, &result)
                    }
                }
            }
        }
        guard status == 0 else {
            return .failure(
                .toolFailed("cannot start \(self.argv[0]): \(Self.describe(step: result.failed_step, errno: result.failed_errno, launch: self))"))
        }
        return .success((result.pid, result.pidfd))
    }

    /// The child's failed set-up step in words.
    private static func describe(step: Int32, errno code: Int32, launch: ProgramLaunch) -> String {
        let reason = String(cString: strerror(code)).lowercased()
        switch UInt32(step) {
        case DRYAD_STEP_EXEC.rawValue where code == ENOENT: return "program not found"
        case DRYAD_STEP_EXEC.rawValue where code == EACCES && launch.confinement != nil:
            return "permission denied (a contained tool runs programs from the system folders or the paths its sandbox lets it read, as an unprivileged user)"
        case DRYAD_STEP_EXEC.rawValue: return reason
        case DRYAD_STEP_WORK_DIR.rawValue: return "cannot enter the working folder \(launch.workingDirectory): \(reason)"
        case DRYAD_STEP_CGROUP.rawValue: return "sandbox: cannot join the run's cgroup: \(reason)"
        case DRYAD_STEP_RLIMIT.rawValue: return "sandbox: cannot set resource limits: \(reason)"
        case DRYAD_STEP_USER.rawValue: return "sandbox: cannot switch to the tool user: \(reason)"
        case DRYAD_STEP_NO_NEW_PRIVS.rawValue: return "sandbox: cannot set no_new_privs: \(reason)"
        case DRYAD_STEP_DEATH_SIGNAL.rawValue: return "sandbox: cannot set the parent-death signal: \(reason)"
        case DRYAD_STEP_LANDLOCK.rawValue: return "sandbox: cannot enforce the Landlock ruleset: \(reason)"
        case DRYAD_STEP_SECCOMP.rawValue: return "sandbox: cannot install the seccomp filter: \(reason)"
        case DRYAD_STEP_CLOSE_FDS.rawValue: return "cannot close inherited descriptors: \(reason)"
        case DRYAD_STEP_STDIO.rawValue: return "cannot connect its input and output: \(reason)"
        default: return "cannot create a process: \(reason)"
        }
    }
}
