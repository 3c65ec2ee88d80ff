import Crypto
import Foundation

/// Reading and writing whole sealed files (`FileSealer`'s format): what `db backup --encrypt`
/// writes and `db restore` and `import` open.
public enum SealedFile {
    /// Whether `path` starts with the sealed-file header (so restore and import decrypt it).
    public static func isSealed(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 8)).map(Array.init) == FileSealer.magic
    }

    /// Encrypts `source` into a new file `destination` (mode 0600).
    public static func encrypt(_ source: String, to destination: String, key: FileKey) throws(DryadError) {
        guard let input = FileHandle(forReadingAtPath: source) else { throw .storage("cannot read \(source)") }
        defer { try? input.close() }
        let output = try create(destination)
        defer { try? output.close() }
        var sealer = FileSealer(key: key)
        do {
            while let block = try input.read(upToCount: FileSealer.chunkSize), !block.isEmpty {
                try output.write(contentsOf: try sealer.add(block))
            }
            try output.write(contentsOf: try sealer.finish())
            try output.synchronize()
        } catch let error as DryadError {
            throw error
        } catch {
            throw .storage("cannot write \(destination): \(error.localizedDescription)")
        }
    }

    /// Decrypts `source` into a new file `destination` (mode 0600); refuses a file sealed with
    /// another key, changed, reordered or cut short, naming which.
    public static func decrypt(_ source: String, to destination: String, key: FileKey) throws(DryadError) {
        guard let input = FileHandle(forReadingAtPath: source) else { throw .invalidInput("\(source): cannot read it") }
        defer { try? input.close() }
        let output = try create(destination)
        defer { try? output.close() }
        func read(_ count: Int) throws(DryadError) -> [UInt8] {
            do {
                return Array(try input.read(upToCount: count) ?? Data())
            } catch {
                throw .invalidInput("\(source): \(error.localizedDescription)")
            }
        }
        let header = try read(FileSealer.headerSize)
        guard header.count == FileSealer.headerSize, Array(header.prefix(8)) == FileSealer.magic else {
            throw .invalidInput("\(source) is not a file dryad encrypted")
        }
        guard header[8] == FileSealer.version else { throw .invalidInput("\(source): unknown encryption format version \(header[8])") }
        let sealedWith = header[9...].map { String(format: "%02x", $0) }.joined()
        guard sealedWith == key.id else {
            throw .advised(
                .invalidInput("\(source) was encrypted with key \(sealedWith), not this key (\(key.id))"),
                Advice(.text("give the key file it was made with: "), .option("key_file"), .text(" or "), .option("encryption_key")))
        }
        var index: UInt64 = 0
        while true {
            let length = try read(4)
            guard length.count == 4 else { throw .invalidInput("\(source) is cut short: its last part is missing") }
            let count = Int(length[0]) << 24 | Int(length[1]) << 16 | Int(length[2]) << 8 | Int(length[3])
            guard count <= FileSealer.chunkSize else { throw .invalidInput("\(source) is damaged (a part claims \(count) bytes)") }
            let body = try read(12 + count + 16)
            guard body.count == 12 + count + 16 else { throw .invalidInput("\(source) is cut short") }
            let plain: Data
            var opened: Data?
            for last in [false, true] {
                let aad = header + FileSealer.bigEndian(index) + [last ? 1 : 0]
                if let box = try? AES.GCM.SealedBox(
                    nonce: AES.GCM.Nonce(data: body[0..<12]), ciphertext: body[12..<(12 + count)], tag: body[(12 + count)...]),
                    let data = try? AES.GCM.open(box, using: key.key, authenticating: aad)
                {
                    opened = data
                    if last {
                        guard try read(1).isEmpty else { throw .invalidInput("\(source) has data after its last part") }
                    }
                    plain = data
                    do { try output.write(contentsOf: plain) } catch { throw .storage("cannot write \(destination)") }
                    if last {
                        do { try output.synchronize() } catch { throw .storage("cannot write \(destination)") }
                        return
                    }
                    break
                }
            }
            guard opened != nil else { throw .invalidInput("\(source) is damaged or was changed (part \(index + 1) does not open)") }
            index += 1
        }
    }

    private static func create(_ path: String) throws(DryadError) -> FileHandle {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage("cannot create \(path): \(String(cString: strerror(errno)))") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }
}
