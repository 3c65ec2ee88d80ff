import ArgumentParser
import DryadCore
import Foundation

/// Writes to stdout and stderr with write(2): Foundation's `FileHandle.write(_:)` traps when the
/// reader has gone (`dryad … | head`), and SIGPIPE is ignored so tools cannot kill dryad.
enum StandardStream {
    /// Writes everything; when stdout's reader is gone, exits 141 quietly as a SIGPIPE'd tool would.
    static func write(_ text: String, to fd: Int32) {
        _ = write(Array(text.utf8), to: fd)
    }

    /// Writes everything; false (with `errno` set) when the descriptor refuses, such as a full disk.
    @discardableResult
    static func write(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Foundation.write(fd, raw.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && errno == EAGAIN {
                // A non-blocking stdout: wait until it takes more.
                var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, -1)
            } else {
                if fd == STDOUT_FILENO && errno == EPIPE { exit(141) }
                return false
            }
        }
        return true
    }
}
