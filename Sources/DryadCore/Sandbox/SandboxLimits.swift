/// The resource limits of a contained run (`setrlimit` in the child, plus the run's pids cgroup).
public struct SandboxLimits: Sendable, Equatable {
    /// Address space: enough for Python, Node or a JVM with a small heap, not for the machine.
    public var memoryBytes: UInt64 = 2 << 30
    public var openFiles: UInt64 = 256
    /// Processes and threads the run may have at once (the cgroup's `pids.max`).
    public var processes: UInt64 = 64
    /// The largest file the tool may write.
    public var fileSizeBytes: UInt64 = 256 << 20

    public init() {}

    /// CPU seconds for a run of `timeout` seconds: the timeout rounded up, plus one, so the
    /// wall-clock timeout (which reports clearly) normally comes first.
    static func cpuSeconds(timeout: Double) -> UInt64 {
        UInt64(timeout.rounded(.up)) + 1
    }
}
