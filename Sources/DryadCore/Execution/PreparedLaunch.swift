import Foundation

/// A command ready to start: its environment built, its program located, its confinement set
/// up and the private folder it works in made. Shared by tool runs and the long-lived programs
/// of upstream MCP servers, so both get the same sandbox from the same policy.
struct PreparedLaunch: Sendable {
    let launch: ProgramLaunch
    /// The private folder: the working folder unless the command names one, and HOME and
    /// TMPDIR of a contained program (dryad's own HOME is not the program's to read).
    let scratch: String

    /// Prepares `command` with dryad's `environment` as the source of PATH, HOME, LANG and
    /// `${NAME}`, and `own` (dryad's `DRYAD_` variables) set last so a registered env cannot
    /// impersonate them. `cpuTimeout` bounds the program's CPU seconds when contained.
    static func prepare(
        _ command: CommandEndpoint, environment: [String: String], own: [String: String], id: String, cpuTimeout: Double,
        settings: SandboxSettings, protected: [String]
    ) throws(DryadError) -> PreparedLaunch {
        var env: [String: String] = [
            "PATH": environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": environment["HOME"] ?? "/",
        ]
        if let lang = environment["LANG"] { env["LANG"] = lang }
        for (name, template) in command.env.sorted(by: { $0.key < $1.key }) {
            env[name] = try EnvironmentTemplate.expand(template, field: "env \(name)", environment: environment)
        }
        env.merge(own) { _, dryads in dryads }

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dryad-run-\(id)").path
        guard mkdir(scratch, 0o700) == 0 else {
            throw .toolFailed("cannot create a working folder: \(String(cString: strerror(errno)))")
        }
        let confinement: Confinement?
        do throws(DryadError) {
            switch command.sandbox.mode {
            case .contained:
                env["HOME"] = scratch
                env["TMPDIR"] = scratch
                confinement = try Confinement.prepare(
                    command.sandbox, workFolder: scratch, cwd: command.cwd, timeout: cpuTimeout, settings: settings,
                    protected: protected, runID: id)
                if let user = confinement?.user, chown(scratch, user.uid, user.gid) != 0 {
                    confinement?.release()
                    throw .toolFailed("sandbox: cannot give the working folder to the tool user: \(String(cString: strerror(errno)))")
                }
            case .none:
                confinement = nil
            }
        } catch {
            try? FileManager.default.removeItem(atPath: scratch)
            throw error
        }
        do throws(DryadError) {
            let launch = ProgramLaunch(
                path: try ToolRunner.locate(command.argv[0], path: env["PATH"]), argv: command.argv, environment: env,
                workingDirectory: command.cwd ?? scratch, confinement: confinement)
            return PreparedLaunch(launch: launch, scratch: scratch)
        } catch {
            confinement?.release()
            try? FileManager.default.removeItem(atPath: scratch)
            throw error
        }
    }

    /// Frees the confinement (killing what is left in its cgroup) and removes the private folder.
    func release() {
        launch.confinement?.release()
        try? FileManager.default.removeItem(atPath: scratch)
    }
}
