import CSandbox

/// What dryad does to itself at start: marks the process non-dumpable, so a process of the
/// same user (a tool run with `--sandbox none`, or anything else the user runs) cannot ptrace
/// it or read its memory, environment and open files through /proc.
public enum SelfProtection {
    /// Applies it; false when the kernel refused (dryad goes on: it is defence in depth).
    @discardableResult
    public static func apply() -> Bool {
        dryad_set_dumpable(0) == 0
    }
}
