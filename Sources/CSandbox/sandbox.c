// The steps between fork and exec that confine a tool. Swift cannot run code in a forked
// child (nothing but async-signal-safe calls may run there, and swift-subprocess offers no
// hook on Linux), so the child's side is here, in plain syscalls.
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// Landlock's ABI as the kernel defines it; the build machine's headers stop at ABI 2.
struct dryad_landlock_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};
struct dryad_landlock_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REFER (1ULL << 13)
#define LL_FS_TRUNCATE (1ULL << 14)
#define LL_FS_IOCTL_DEV (1ULL << 15)
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/// Every filesystem right Landlock knows at `abi` (ABI 1: bits 0-12, 2: REFER, 3: TRUNCATE, 5: IOCTL_DEV).
static uint64_t fs_rights(int abi) {
    uint64_t rights = (1ULL << 13) - 1;
    if (abi >= 2) rights |= LL_FS_REFER;
    if (abi >= 3) rights |= LL_FS_TRUNCATE;
    if (abi >= 5) rights |= LL_FS_IOCTL_DEV;
    return rights;
}

/// The rights that apply to a file rather than a directory (a rule on a file may hold no others).
static uint64_t file_rights(int abi) {
    uint64_t rights = LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE;
    if (abi >= 3) rights |= LL_FS_TRUNCATE;
    if (abi >= 5) rights |= LL_FS_IOCTL_DEV;
    return rights;
}

int dryad_landlock_abi(void) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

int dryad_landlock_ruleset(int abi, int deny_tcp) {
    struct dryad_landlock_ruleset_attr attr = {.handled_access_fs = fs_rights(abi)};
    size_t size = offsetof(struct dryad_landlock_ruleset_attr, handled_access_net);
    if (abi >= 4) {
        size = offsetof(struct dryad_landlock_ruleset_attr, scoped);
        if (deny_tcp) attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
    }
    if (abi >= 6) {
        size = sizeof attr;
        attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
    }
    return (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
}

int dryad_landlock_allow_fd(int ruleset, int abi, int fd, int is_dir, int writable) {
    uint64_t access = writable ? fs_rights(abi) : (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR);
    if (!is_dir) access &= file_rights(abi);
    struct dryad_landlock_path_beneath_attr rule = {.allowed_access = access, .parent_fd = fd};
    return syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0) < 0 ? -1 : 0;
}

int dryad_open_path(const char *path, int *is_dir) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    *is_dir = S_ISDIR(info.st_mode);
    return fd;
}

int dryad_landlock_allow(int ruleset, int abi, const char *path, int writable) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat info;
    int result = fstat(fd, &info) == 0 ? dryad_landlock_allow_fd(ruleset, abi, fd, S_ISDIR(info.st_mode), writable) : -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

int dryad_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int dryad_set_dumpable(int dumpable) { return prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0); }

int dryad_reap(pid_t pid, int *kind, int *code) {
    int status = 0;
    pid_t done;
    do {
        done = waitpid(pid, &status, 0);
    } while (done < 0 && errno == EINTR);
    if (done < 0) return -1;
    if (WIFEXITED(status)) {
        *kind = 1;
        *code = WEXITSTATUS(status);
    } else {
        *kind = 2;
        *code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    return 0;
}

// MARK: - seccomp

#if defined(__x86_64__)
#define DRYAD_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define DRYAD_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "dryad's seccomp filter knows x86_64 and aarch64"
#endif

#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define REFUSE(err) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((err) & SECCOMP_RET_DATA))

/// The filter: other architectures' calls (x32, i386) are refused outright, io_uring always
/// (its operations open sockets and files without passing through this filter), and without
/// the network every socket family but AF_UNIX. Landlock covers files, TCP and signals.
static struct sock_filter network_filter[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DRYAD_AUDIT_ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
    REFUSE(ENOSYS),
#endif
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1),
    REFUSE(ENOSYS),
    // From here on, only socket() when the network is off: patched to ALLOW when it is on.
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 1, 0),
    ALLOW,
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1),
    ALLOW,
    REFUSE(EACCES),
};

// MARK: - spawning

/// What the child reads (the spec) and writes (where it failed): it shares the parent's memory.
struct child_args {
    const struct dryad_spawn *spec;
    struct sock_fprog filter;
    volatile int failed_step;
    volatile int failed_errno;
};

static int fail(struct child_args *args, int step) {
    args->failed_errno = errno;
    args->failed_step = step;
    _exit(127);
}

static int place(int from, int to) {
    if (from == to) return fcntl(to, F_SETFD, 0);
    return dup2(from, to) < 0 ? -1 : 0;
}

/// A core dump would write the tool's memory where dryad may not expect it.
static int no_core_dumps(void) {
    struct rlimit none = {0, 0};
    return setrlimit(RLIMIT_CORE, &none);
}

/// Sets both limits of `resource`; 0 leaves it as inherited.
static int limit(int resource, uint64_t value) {
    if (value == 0) return 0;
    struct rlimit rl = {.rlim_cur = value, .rlim_max = value};
    return setrlimit(resource, &rl);
}

/// The child, in the parent's memory until exec (CLONE_VM | CLONE_VFORK, as posix_spawn does):
/// only raw system calls, no allocation, nothing that takes a lock the parent may hold.
static int child_main(void *raw) {
    struct child_args *args = raw;
    const struct dryad_spawn *spec = args->spec;

    // A clean start: dryad's handlers and ignored signals (SIGPIPE) are not the tool's.
    struct sigaction plain = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &plain, NULL);
    sigset_t none;
    sigemptyset(&none);

    // Its own process group, so a signal to -pid reaches everything it spawns.
    setpgid(0, 0);
    if (place(spec->stdin_fd, 0) || place(spec->stdout_fd, 1) || place(spec->stderr_fd, 2)) fail(args, DRYAD_STEP_STDIO);
    if (spec->confine) {
        // Joining the cgroup before anything else: every process the tool starts is in it.
        if (spec->cgroup_procs_fd >= 0 && write(spec->cgroup_procs_fd, "0", 1) != 1) fail(args, DRYAD_STEP_CGROUP);
        if (limit(RLIMIT_CPU, spec->cpu_seconds) || limit(RLIMIT_AS, spec->address_space_bytes) ||
            limit(RLIMIT_NOFILE, spec->open_files) || limit(RLIMIT_FSIZE, spec->file_size_bytes) || no_core_dumps())
            fail(args, DRYAD_STEP_RLIMIT);
        if (spec->change_user) {
            // Raw system calls: glibc's wrappers would change the credentials of every thread
            // of the parent, whose memory this child shares.
            if (syscall(SYS_setgroups, 0, NULL) || syscall(SYS_setresgid, spec->gid, spec->gid, spec->gid) ||
                syscall(SYS_setresuid, spec->uid, spec->uid, spec->uid))
                fail(args, DRYAD_STEP_USER);
        }
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) fail(args, DRYAD_STEP_NO_NEW_PRIVS);
        // After the user change, which clears it: the tool dies with the thread that watches it.
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) fail(args, DRYAD_STEP_DEATH_SIGNAL);
    }
    if (chdir(spec->work_dir)) fail(args, DRYAD_STEP_WORK_DIR);
    if (spec->confine && spec->ruleset_fd >= 0 && syscall(SYS_landlock_restrict_self, spec->ruleset_fd, 0))
        fail(args, DRYAD_STEP_LANDLOCK);
    // Nothing of dryad's stays open in the tool: not the database, not a socket, not a key file.
    if (syscall(SYS_close_range, 3, ~0U, 0)) fail(args, DRYAD_STEP_CLOSE_FDS);
    if (spec->confine && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &args->filter)) fail(args, DRYAD_STEP_SECCOMP);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(spec->path, spec->argv, spec->envp);
    fail(args, DRYAD_STEP_EXEC);
    return 127;
}

int dryad_spawn(const struct dryad_spawn *spec, struct dryad_spawned *result) {
    struct sock_filter filter[sizeof network_filter / sizeof network_filter[0]];
    memcpy(filter, network_filter, sizeof filter);
    if (!spec->deny_network) {
        // Replace the socket() check with ALLOW: every call past io_uring is allowed.
        size_t count = sizeof filter / sizeof filter[0];
        filter[count - 6] = (struct sock_filter)ALLOW;
    }
    struct child_args args = {.spec = spec, .filter = {.len = sizeof filter / sizeof filter[0], .filter = filter}};
    memset(result, 0, sizeof *result);
    result->pidfd = -1;

    const size_t stack_size = 64 * 1024;
    void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        result->failed_step = DRYAD_STEP_CLONE;
        result->failed_errno = errno;
        return -1;
    }
    // No signal handler of dryad's may run in the child, which shares its memory.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int pidfd = -1;
    pid_t pid = clone(child_main, (char *)stack + stack_size, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &args, &pidfd);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    munmap(stack, stack_size);

    if (pid < 0) {
        result->failed_step = DRYAD_STEP_CLONE;
        result->failed_errno = clone_errno;
        return -1;
    }
    if (args.failed_step != DRYAD_STEP_NONE) {
        int kind, code;
        dryad_reap(pid, &kind, &code);
        if (pidfd >= 0) close(pidfd);
        result->failed_step = args.failed_step;
        result->failed_errno = args.failed_errno;
        return -1;
    }
    result->pid = pid;
    result->pidfd = pidfd;
    return 0;
}
