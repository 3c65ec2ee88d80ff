import ArgumentParser
import DryadCore
import Foundation

/// Runs the CLI: parses, runs one command, maps every error to one line and an exit code.
public enum DryadMain {
    public static func main(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        let arguments = hoistGlobalOptions(arguments)
        let format = OutputFormat.sniff(arguments)
        // A tool that exits without reading its stdin must not take dryad down with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        SelfProtection.apply()
        do {
            var command: any ParsableCommand
            do {
                command = try Dryad.parseAsRoot(arguments)
            } catch  where isGlobalOptionRefused(error) {
                // A global option reached a command that takes none: a group (`dryad --db x
                // tools` shows its help) or a mistyped subcommand, whose own error
                // ("Unexpected argument 'lst'") names the real problem. A leaf command never
                // runs without options the user typed (it would use another file or identity).
                let stripped = try Dryad.parseAsRoot(withoutGlobalOptions(arguments))
                guard !type(of: stripped).configuration.subcommands.isEmpty else { throw error }
                command = stripped
            }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let error as DryadError {
            Printer.error(code: error.code, message: error.commandLineMessage, format: format)
            exit(exitCode(for: error))
        } catch {
            let code = Dryad.exitCode(for: error)
            // Help, --version and explicit exit codes print as ArgumentParser intends.
            if code == .success || error is ExitCode {
                Dryad.exit(withError: error)
            }
            let message = Dryad.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid usage"
            let isUsage = code == .validationFailure
            Printer.error(code: isUsage ? "usage" : "internal", message: isUsage ? message + " (see 'dryad help')" : message, format: format)
            exit(isUsage ? 64 : 1)
        }
    }

    /// Options every leaf command takes, which people also write before the subcommand.
    static let globalOptions: Set<String> = ["--db", "--as", "--token-file", "--key-file", "-o", "--output"]

    /// Moves global options written before the subcommand (`dryad --as bob tools list`) to the
    /// end, where the leaf command parses them.
    static func hoistGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if globalOptions.contains(first), rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if let eq = first.firstIndex(of: "="), globalOptions.contains(String(first[..<eq])) {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        return Array(rest) + leading
    }

    /// `arguments` with every global option (and its value) taken out.
    static func withoutGlobalOptions(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if globalOptions.contains(first) {
                rest = rest.dropFirst(2)
            } else if let eq = first.firstIndex(of: "="), globalOptions.contains(String(first[..<eq])) {
                rest = rest.dropFirst()
            } else {
                kept.append(first)
                rest = rest.dropFirst()
            }
        }
        return kept
    }

    /// Whether ArgumentParser refused one of the global options as unknown to the command.
    static func isGlobalOptionRefused(_ error: any Error) -> Bool {
        let message = Dryad.message(for: error)
        return globalOptions.contains { message.contains("Unknown option '\($0)'") }
    }

    /// The documented exit code of each error.
    static func exitCode(for error: DryadError) -> Int32 {
        switch error {
        case .notFound: 3
        case .permissionDenied: 4
        case .conflict, .stale, .schemaTooNew, .quotaExceeded: 5
        case .toolFailed: 6
        case .invalidInput: 65
        case .busy, .limited: 75
        case .storage: 1
        case .advised(let error, _): exitCode(for: error)
        }
    }
}
