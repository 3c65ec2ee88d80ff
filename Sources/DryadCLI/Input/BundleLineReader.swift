import ArgumentParser
import DryadCore
import Foundation

/// Reads a bundle one line at a time, refusing lines longer than `BundleTransfer.maxLineBytes`.
///
/// `@unchecked Sendable`: the import pulls lines from its one writing transaction, one after
/// another, so the buffer is never touched concurrently.
final class BundleLineReader: @unchecked Sendable {
    private let handle: FileHandle
    private let name: String
    private var buffer = Data()
    /// Where the next unread line starts in `buffer`.
    private var start = 0
    /// How far past `start` is known to hold no newline.
    private var scanned = 0
    private var atEnd = false

    init(path: String) throws(DryadError) {
        name = path == "-" ? "stdin" : path
        handle = try InputReader.open(path: path)
    }

    func next() throws -> String? {
        while true {
            if let newline = buffer[max(start, scanned)...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                scanned = start
                return try text(line)
            }
            // Nothing up to here is a newline: the next search starts after it.
            scanned = buffer.endIndex
            if atEnd {
                guard start < buffer.endIndex else { return nil }
                defer { start = buffer.endIndex }
                return try text(buffer[start...])
            }
            guard buffer.endIndex - start <= BundleTransfer.maxLineBytes else {
                throw DryadError.invalidInput("\(name): a line is longer than \(BundleTransfer.maxLineBytes / 1024 / 1024) MiB")
            }
            // Drop consumed lines before reading more, so the buffer holds about one chunk.
            scanned -= start - buffer.startIndex
            buffer.removeSubrange(buffer.startIndex..<start)
            start = buffer.startIndex
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 16) ?? Data()
            } catch {
                throw DryadError.invalidInput("cannot read \(name): \(InputReader.describe(error))")
            }
            if chunk.isEmpty { atEnd = true } else { buffer.append(chunk) }
        }
    }

    private func text(_ bytes: Data) throws -> String {
        guard let line = String(data: bytes, encoding: .utf8) else { throw DryadError.invalidInput("\(name): not UTF-8 text") }
        return line
    }
}
