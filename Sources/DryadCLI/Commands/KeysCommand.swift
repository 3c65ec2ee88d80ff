import ArgumentParser
import DryadCore
import Foundation

/// `dryad keys rotate`.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Manage token signing keys.", subcommands: [Rotate.self])

    /// `dryad keys rotate`.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate", abstract: "Add a new signing key; older keys verify until their tokens expire.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let kid = try await database.tokens.rotateKey(as: principal)
            try global.printer.result(["kid": kid], text: "new signing key \(kid)")
        }
    }
}
