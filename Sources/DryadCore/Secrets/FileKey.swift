import Crypto
import Foundation

/// The key that encrypts files leaving the machine (`--encrypt` on `db backup` and `export`):
/// derived with HKDF from the key file's KEK, or from a key file given for the purpose
/// (`--encryption-key`), so a backup can be opened on a host that has that file.
public struct FileKey: Sendable {
    let key: SymmetricKey
    /// Hex of the first 8 bytes of SHA-256 of the derived key: written in each file's header.
    public let id: String

    init(deriving source: SymmetricKey) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: source, info: Data("dryad file encryption v1".utf8), outputByteCount: 32)
        id = key.withUnsafeBytes { SHA256.hash(data: Data($0)) }.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The key derived from a 32-byte key file (mode 0600), as `--encryption-key PATH` gives it.
    public static func read(_ path: String) throws(DryadError) -> FileKey {
        guard let key = try KeyFile.read(path) else { throw .invalidInput("\(path): no such key file") }
        return FileKey(deriving: key)
    }
}

extension DryadDatabase {
    /// The file key derived from this database's key file (made when missing, as for sealing).
    public func fileKey() async throws(DryadError) -> FileKey {
        let keyring = self.keyring
        return try await read { db in FileKey(deriving: try keyring.kek(in: db)) }
    }
}
