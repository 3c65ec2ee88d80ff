import ArgumentParser
import DryadCore

/// Which key encrypts or decrypts a backup or bundle: one derived from the database's key
/// file, unless `--encryption-key` names another 32-byte key file (mode 0600).
struct EncryptionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A 32-byte key file (mode 0600) to encrypt or decrypt with instead of the key file's.", valueName: "path"))
    var encryptionKey: String?

    /// The key `--encryption-key` names, if any.
    func givenKey() throws(DryadError) -> FileKey? {
        try encryptionKey.map { path throws(DryadError) in try FileKey.read(path) }
    }

    /// The key to use with `database`.
    func key(for database: DryadDatabase) async throws(DryadError) -> FileKey {
        if let given = try givenKey() { return given }
        return try await database.fileKey()
    }
}
