import Crypto
import DryadTestSupport
import Foundation
import Testing

@testable import DryadCore

/// `--encrypt`: backups and bundles that leave the machine.
@Suite struct SealedFileTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    @Test func anEncryptedBackupHoldsNoPlainTextAndRestores() async throws {
        _ = try await database.tools.register([definition("secret-tool", description: "needle-in-the-haystack")], as: testOperator)
        let key = try await database.fileKey()
        try await database.backup(to: folder.path + "/b.enc", encryption: key, as: testOperator)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder.path + "/b.enc"))
        #expect(bytes.prefix(8) == Data("DRYADENC".utf8))
        #expect(bytes.range(of: Data("needle-in-the-haystack".utf8)) == nil && bytes.range(of: Data("SQLite format".utf8)) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.contains(".backup-") })

        _ = try await database.tools.delete(.nameOrID("secret-tool"), allVersions: true, as: testOperator)
        try await database.restore(from: folder.path + "/b.enc", as: testOperator)
        #expect(try await database.tools.get(.nameOrID("secret-tool"), as: testOperator).description == "needle-in-the-haystack")
    }

    /// Several chunks: a flipped byte, a dropped chunk, a cut-short file and another key are each refused.
    @Test func tamperingTruncationAndTheWrongKeyAreRefused() throws {
        let key = FileKey(deriving: SymmetricKey(size: .bits256))
        let plain = Data((0..<(FileSealer.chunkSize * 2 + 5000)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try plain.write(to: URL(fileURLWithPath: folder.path + "/plain"))
        try SealedFile.encrypt(folder.path + "/plain", to: folder.path + "/sealed", key: key)
        try SealedFile.decrypt(folder.path + "/sealed", to: folder.path + "/back", key: key)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path + "/back")) == plain)

        let sealed = try Data(contentsOf: URL(fileURLWithPath: folder.path + "/sealed"))
        let chunk = 4 + 12 + FileSealer.chunkSize + 16
        var flipped = sealed
        flipped[FileSealer.headerSize + 100] ^= 1
        let variants: [(String, Data, String)] = [
            ("flipped", flipped, "is damaged or was changed (part 1 does not open)"),
            (
                "dropped", sealed.prefix(FileSealer.headerSize) + sealed.dropFirst(FileSealer.headerSize + chunk),
                "is damaged or was changed (part 1 does not open)"
            ),
            ("cut", sealed.prefix(FileSealer.headerSize + chunk), "is cut short: its last part is missing"),
            ("extended", sealed + Data([0]), "has data after its last part"),
        ]
        for (name, bytes, problem) in variants {
            try bytes.write(to: URL(fileURLWithPath: folder.path + "/" + name))
            #expect(throws: DryadError.invalidInput("\(folder.path)/\(name) \(problem)")) {
                try SealedFile.decrypt(folder.path + "/" + name, to: folder.path + "/" + name + ".out", key: key)
            }
        }
        let other = FileKey(deriving: SymmetricKey(size: .bits256))
        let error = #expect(throws: DryadError.self) { try SealedFile.decrypt(folder.path + "/sealed", to: folder.path + "/x", key: other) }
        #expect(error?.message.contains("was encrypted with key \(key.id), not this key (\(other.id))") == true)
    }
}
