import ArgumentParser
import Testing

@testable import DryadCLI

@Suite struct CommandTreeTests {
    /// Start-up depends on it: a command without `commandName` costs a scan of every protocol
    /// conformance in the binary when ArgumentParser derives the name from the type.
    @Test func everyCommandNamesItself() {
        var unnamed: [String] = []
        func walk(_ command: any ParsableCommand.Type, path: String) {
            guard let name = command.configuration.commandName else {
                unnamed.append("\(path) > \(command)")
                return
            }
            for sub in command.configuration.subcommands { walk(sub, path: path + " " + name) }
        }
        walk(Dryad.self, path: "")
        #expect(unnamed.isEmpty, "commands without commandName: \(unnamed)")
    }
}
