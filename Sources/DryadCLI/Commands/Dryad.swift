import ArgumentParser
import DryadCore
import Foundation

/// The root `dryad` command.
///
/// Every command sets `commandName`: ArgumentParser otherwise derives it with
/// `String(describing:)`, and each such call scans every protocol conformance in this large
/// binary, which made start-up take 20 ms before any work.
struct Dryad: AsyncParsableCommand {
    static let version = DryadVersion.current

    static let configuration = CommandConfiguration(
        commandName: "dryad",
        abstract: "A local-first registry for AI-agent tools and agent memory.",
        discussion: "Results go to stdout, messages and errors to stderr. \(ExitStatus.summary)",
        subcommands: [
            ToolsCommand.self, SessionsCommand.self, ExecutionsCommand.self, MemoryCommand.self, TraceCommand.self, ErrorsCommand.self,
            PrincipalsCommand.self, PermsCommand.self, TokensCommand.self, KeysCommand.self, AuditCommand.self,
            ApplyCommand.self, ExportCommand.self, ImportCommand.self, ServeCommand.self, MCPCommand.self, ServersCommand.self, DatabaseCommand.self,
            VersionCommand.self,
        ]
    )
}

extension DryadError {
    /// The message with options spelt as flags: `all_versions` is `--all-versions`.
    var commandLineMessage: String {
        message(spelling: { "--" + $0.replacingOccurrences(of: "_", with: "-") })
    }
}
