import Crypto
import Foundation

/// The key-encryption key's file: 32 random bytes, mode 0600, kept outside the database
/// (beside it by default: `dryad.key` in the database's folder, shared by the databases
/// there, so a backup or a bundle imported beside the original opens; `--key-file`,
/// `DRYAD_KEY_FILE`).
enum KeyFile {
    static let size = 32

    /// The default place for `database`'s key file.
    static func defaultPath(for database: String) -> String {
        URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("dryad.key").path
    }

    /// The key in `path`, or nil when there is no such file. A file of the wrong size, or one
    /// that others may read, is refused: either would mean the key is not what it should be.
    static func read(_ path: String) throws(DryadError) -> SymmetricKey? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .storage("cannot read the key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw .storage("the key file \(path) is not a regular file") }
        guard info.st_mode & 0o077 == 0 else {
            throw .storage(
                "the key file \(path) may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); make it private with chmod 600")
        }
        var bytes = [UInt8](repeating: 0, count: size + 1)
        let count = Glibc.read(fd, &bytes, bytes.count)
        guard count == size else { throw .storage("the key file \(path) does not hold a \(size)-byte key") }
        return SymmetricKey(data: bytes[0..<size])
    }

    /// Writes `key` to a new file at `path` (refusing an existing one), private and synced.
    static func create(_ path: String, key: SymmetricKey) throws(DryadError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage("cannot create the key file \(path): \(String(cString: strerror(errno)))") }
        let written = key.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == size, synced else {
            unlink(path)
            throw .storage("cannot write the key file \(path)")
        }
        syncFolder(of: path)
    }

    /// Makes a rename or a new file in `path`'s folder durable.
    static func syncFolder(of path: String) {
        let folder = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}
