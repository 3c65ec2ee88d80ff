import ArgumentParser
import DryadCore
import Foundation

/// `dryad keys rotate` and `dryad keys rotate-kek`.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage token signing keys and the key file that seals them.", subcommands: [Rotate.self, RotateKEK.self])

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

    /// `dryad keys rotate-kek`.
    struct RotateKEK: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-kek",
            abstract: "Re-seal the signing keys and the audit key with a new key file; the old one is kept as KEYFILE.retired-ID.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (database, principal) = try await global.open()
            let (old, new) = try await database.tokens.rotateKeyEncryptionKey(as: principal)
            try global.printer.result(
                ["old_key": old, "new_key": new, "key_file": database.keyring.path],
                text: "sealed with key \(new) in \(database.keyring.path); the old key \(old) is kept as \(database.keyring.path).retired-\(old)")
        }
    }
}
