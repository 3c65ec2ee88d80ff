import DryadCore
import Foundation

/// A new file only its owner can read, for secrets the CLI hands over (a token).
///
/// Created with `O_EXCL | O_NOFOLLOW`: an existing file or a symlink at the path is refused
/// rather than truncated, so a link planted where the secret is expected cannot redirect it
/// into (and destroy) another file. `db backup` creates its copy the same way.
struct PrivateFile {
    let path: String
    private let descriptor: Int32

    /// Creates the file (mode 0600); an existing path is a conflict.
    init(creating path: String) throws(DryadError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            if errno == EEXIST {
                throw .conflict("\(path) already exists; the token is written only to a new file")
            }
            throw .invalidInput("cannot create \(path): \(reason)")
        }
        self.path = path
        descriptor = fd
    }

    /// Writes `text`, syncs and closes; on failure the file is removed.
    func write(_ text: String) throws(DryadError) {
        let bytes = Array(text.utf8)
        let written = Glibc.write(descriptor, bytes, bytes.count)
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else {
            unlink(path)
            throw .storage("cannot write \(path)")
        }
    }

    /// Closes and removes the file, when what it was for did not happen.
    func discard() {
        close(descriptor)
        unlink(path)
    }
}
