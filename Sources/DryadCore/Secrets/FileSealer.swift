import Crypto
import Foundation

/// Encrypts a stream of bytes into dryad's sealed-file format, chunk by chunk, so a file of
/// any size is never held whole:
///
///     "DRYADENC" 0x01 KEYID(8)                     header: 17 bytes
///     LENGTH(4, big-endian) NONCE(12) DATA TAG(16)  each chunk, at most 1 MiB of data
///
/// Each chunk is AES-256-GCM with the header, its index and whether it is the last as
/// authenticated data: a chunk changed, moved, dropped or added, or a file cut short, does
/// not open (`SealedFile.decrypt`).
public struct FileSealer: Sendable {
    static let magic = Array("DRYADENC".utf8)
    static let version: UInt8 = 1
    static let chunkSize = 1 << 20
    static let headerSize = 17

    private let key: FileKey
    private var pending: [UInt8] = []
    private var index: UInt64 = 0
    private var headerWritten = false

    public init(key: FileKey) {
        self.key = key
    }

    static func header(_ key: FileKey) -> [UInt8] {
        magic + [version]
            + stride(from: 0, to: 16, by: 2).map { offset in
                let digits = Array(key.id.utf8)[offset..<offset + 2]
                return UInt8(String(decoding: digits, as: UTF8.self), radix: 16) ?? 0
            }
    }

    /// Takes more plain bytes; returns the sealed bytes ready to write (whole chunks only).
    public mutating func add(_ bytes: some Collection<UInt8>) throws(DryadError) -> [UInt8] {
        pending.append(contentsOf: bytes)
        var out = start()
        while pending.count > Self.chunkSize {
            out += try chunk(Array(pending.prefix(Self.chunkSize)), last: false)
            pending.removeFirst(Self.chunkSize)
        }
        return out
    }

    /// The rest, as the last chunk (possibly empty): call once, at the end.
    public mutating func finish() throws(DryadError) -> [UInt8] {
        var out = start()
        out += try chunk(pending, last: true)
        pending = []
        return out
    }

    private mutating func start() -> [UInt8] {
        guard !headerWritten else { return [] }
        headerWritten = true
        return Self.header(key)
    }

    private mutating func chunk(_ plain: [UInt8], last: Bool) throws(DryadError) -> [UInt8] {
        let aad = Self.header(key) + Self.bigEndian(index) + [last ? 1 : 0]
        index += 1
        do {
            let box = try AES.GCM.seal(plain, using: key.key, authenticating: aad)
            let length = UInt32(plain.count)
            return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
                + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw .storage("cannot encrypt: \(error)")
        }
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(value >> (UInt64($0) * 8) & 0xFF) }
    }
}
