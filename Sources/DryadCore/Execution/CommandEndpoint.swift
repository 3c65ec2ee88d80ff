import Foundation

/// Runs `argv` directly (never through a shell) with the tool input on stdin.
public struct CommandEndpoint: Sendable, Equatable {
    public var argv: [String]
    public var timeoutSeconds: Double
    public var env: [String: String]
    public var cwd: String?
    /// How the run is confined.
    public var sandbox: SandboxPolicy

    public init(
        argv: [String], timeoutSeconds: Double = ToolEndpoint.defaultTimeoutSeconds,
        env: [String: String] = [:], cwd: String? = nil, sandbox: SandboxPolicy = .standard
    ) {
        self.sandbox = sandbox
        self.argv = argv
        self.timeoutSeconds = timeoutSeconds
        self.env = env
        self.cwd = cwd
    }
}
