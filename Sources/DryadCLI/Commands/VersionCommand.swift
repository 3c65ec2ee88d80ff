import ArgumentParser
import DryadCore
import Foundation

/// `dryad version`: prints the dryad version.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the dryad version.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try global.printer.result(["version": Dryad.version], text: "dryad \(Dryad.version)")
    }
}
