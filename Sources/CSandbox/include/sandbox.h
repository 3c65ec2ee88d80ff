#ifndef DRYAD_SANDBOX_H
#define DRYAD_SANDBOX_H

#include <stdint.h>
#include <sys/types.h>

/// What confines one tool run. The policy (which paths, whether the network, which user) is
/// decided in Swift (`SandboxPolicy`); this target only does what Swift cannot: the steps
/// between fork and exec, variadic `prctl`/`syscall`, and the Landlock and seccomp structs.
struct dryad_spawn {
    const char *_Nullable path;               ///< absolute program path, resolved by the caller
    char *_Nullable const *_Nullable argv;    ///< NULL-terminated
    char *_Nullable const *_Nullable envp;    ///< NULL-terminated
    const char *_Nullable work_dir;
    int stdin_fd, stdout_fd, stderr_fd;

    /// 0: only a process group of its own, default signals and no inherited descriptors
    /// (`--sandbox none`); 1: everything below as well.
    int confine;
    int ruleset_fd;          ///< Landlock ruleset to enforce (from dryad_landlock_ruleset), or -1
    int cgroup_procs_fd;     ///< the run's cgroup.procs, opened for writing, or -1
    int change_user;         ///< switch to uid/gid (dryad runs as root)
    uid_t uid;
    gid_t gid;
    int deny_network;        ///< seccomp: socket() only for AF_UNIX

    /// 0 leaves a limit as inherited. Processes are limited by the cgroup, not RLIMIT_NPROC,
    /// which counts every process of the user on the machine (and does not bind root).
    uint64_t cpu_seconds, address_space_bytes, open_files, file_size_bytes;
};

/// The step of the child's set-up that failed, for the error message.
enum dryad_spawn_step {
    DRYAD_STEP_NONE = 0,
    DRYAD_STEP_CLONE,
    DRYAD_STEP_STDIO,
    DRYAD_STEP_CGROUP,
    DRYAD_STEP_RLIMIT,
    DRYAD_STEP_USER,
    DRYAD_STEP_NO_NEW_PRIVS,
    DRYAD_STEP_DEATH_SIGNAL,
    DRYAD_STEP_WORK_DIR,
    DRYAD_STEP_LANDLOCK,
    DRYAD_STEP_CLOSE_FDS,
    DRYAD_STEP_SECCOMP,
    DRYAD_STEP_EXEC,
};

struct dryad_spawned {
    pid_t pid;          ///< > 0 when the program is running
    int pidfd;          ///< readable once the program has exited
    int failed_step;    ///< a dryad_spawn_step, DRYAD_STEP_NONE on success
    int failed_errno;
};

/// Starts `spec->path` confined as `spec` says. Returns 0 with pid and pidfd set, or -1 with
/// the failed step and errno (the half-started child is already reaped).
int dryad_spawn(const struct dryad_spawn *_Nonnull spec, struct dryad_spawned *_Nonnull result);

/// The Landlock ABI version this kernel offers, or 0 when it has none (or it is disabled).
int dryad_landlock_abi(void);

/// A Landlock ruleset that handles every filesystem right `abi` knows, TCP bind/connect when
/// `deny_tcp` (ABI 4+), and abstract-socket and signal scoping (ABI 6+). -1 and errno on failure.
int dryad_landlock_ruleset(int abi, int deny_tcp);

/// Allows `path` (and everything beneath it) in `ruleset`: reading and executing, and all the
/// ruleset's rights when `writable`. Files get the file rights only. -1 and errno on failure.
int dryad_landlock_allow(int ruleset, int abi, const char *_Nonnull path, int writable);

/// pipe2 with O_CLOEXEC (Glibc's Swift module does not offer pipe2).
int dryad_pipe(int fds[_Nonnull 2]);

/// Opens `path` with O_PATH | O_CLOEXEC (which Swift's Glibc module does not name); sets
/// `is_dir`. -1 and errno on failure.
int dryad_open_path(const char *_Nonnull path, int *_Nonnull is_dir);

/// The same for a path already open (O_PATH) as `fd`, a directory when `is_dir`: for the
/// system folders, opened once per process instead of once per run.
int dryad_landlock_allow_fd(int ruleset, int abi, int fd, int is_dir, int writable);

/// Marks dryad non-dumpable: same-user processes cannot ptrace it or read its /proc memory.
int dryad_set_dumpable(int dumpable);

/// Waits for `pid` (already exited: its pidfd was readable). kind: 1 exited, 2 killed by signal.
int dryad_reap(pid_t pid, int *_Nonnull kind, int *_Nonnull code);

#endif
