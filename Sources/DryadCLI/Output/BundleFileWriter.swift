import ArgumentParser
import DryadCore
import Foundation

/// Writes bundle lines to stdout, or to a temporary file renamed over `path` only when complete.
///
/// `@unchecked Sendable`: the export calls `write` from its one reading transaction, line after
/// line, and `commit`/`discard` only after it returned, so the state is never touched concurrently.
final class BundleFileWriter: @unchecked Sendable {
    /// Nil for stdout.
    private let handle: FileHandle?
    private let path: String?
    private let temporary: String?
    private var buffer: [UInt8] = []
    /// Encrypts what is written (`export --encrypt`); nil writes plain lines.
    private var sealer: FileSealer?

    init(path: String?, sealer: FileSealer? = nil) throws(DryadError) {
        self.path = path
        self.sealer = sealer
        guard let path else {
            handle = nil
            temporary = nil
            return
        }
        let temporary = "\(path).partial-\(getpid())"
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        self.temporary = temporary
    }

    func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush(last: Bool = false) throws {
        if var sealing = sealer {
            buffer = try sealing.add(buffer) + (last ? try sealing.finish() : [])
            sealer = sealing
        }
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard let handle else {
            guard StandardStream.write(buffer, to: STDOUT_FILENO) else {
                throw DryadError.storage("cannot write stdout: \(String(cString: strerror(errno)))")
            }
            return
        }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw DryadError.storage("cannot write \(path ?? "stdout"): \(error.localizedDescription)")
        }
    }

    /// Flushes, syncs and moves the finished file into place.
    func commit() throws {
        try flush(last: true)
        guard let handle, let temporary, let path else { return }
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw DryadError.storage("cannot write \(path): \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            throw DryadError.storage("cannot move the bundle to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the unfinished file after a failure.
    func discard() {
        if let temporary { unlink(temporary) }
    }
}
