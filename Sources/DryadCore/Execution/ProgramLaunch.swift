/// One program to start for a command tool: what `CommandRunner` runs.
struct ProgramLaunch: Sendable {
    /// The program's absolute path (resolved against PATH before the run).
    var path: String
    var argv: [String]
    var environment: [String: String]
    var workingDirectory: String
    /// nil for `--sandbox none`: the tool runs as dryad, in its own process group only.
    var confinement: Confinement?
}
