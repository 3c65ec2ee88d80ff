import DryadTestSupport
import Foundation
import Testing

/// The key file from the command line: encrypted backups and bundles, KEK rotation, the audit head.
@Suite struct SecretsCommandTests {
    let cli: CLIHarness

    init() throws { cli = try CLIHarness() }

    @Test func encryptedBundlesAndBackupsRoundTrip() throws {
        #expect(try cli.run(["tools", "register", "t", "--description", "findme-description"]).status == 0)
        let bundle = cli.folder + "/all.enc"
        let exported = try cli.run(["export", "--encrypt", "--output-file", bundle])
        #expect(exported.status == 0, "\(exported.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: bundle))
        #expect(bytes.prefix(8) == Data("DRYADENC".utf8) && bytes.range(of: Data("findme".utf8)) == nil)
        // Beside the original, the shared key file opens it.
        let imported = try cli.run(["--db", cli.folder + "/copy.db", "import", bundle])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try cli.run(["--db", cli.folder + "/copy.db", "tools", "get", "t"]).stdout.contains("findme-description"))
        // Elsewhere, without that key file, it says which key it needs.
        let other = try TemporaryFolder()
        let refused = try cli.run(["--db", other.path + "/x.db", "import", bundle])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("was encrypted with key"), "\(refused.stderr)")

        let backup = cli.folder + "/b.enc"
        let backedUp = try cli.run(["db", "backup", "--encrypt", backup])
        #expect(backedUp.status == 0 && backedUp.stdout.contains("encrypted with key"), "\(backedUp.stderr)")
        #expect(try cli.run(["tools", "delete", "t"]).status == 0)
        let restored = try cli.run(["db", "restore", "--yes", backup])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(try cli.run(["tools", "get", "t"]).status == 0)
    }

    @Test func rotateKEKAndAuditHead() throws {
        #expect(try cli.run(["tools", "register", "t", "--description", "d"]).status == 0)
        let rotated = try cli.run(["keys", "rotate-kek", "-o", "json"])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(rotated.stdout.utf8)) as? [String: String])
        let old = try #require(fields["old_key"])
        let keyFolder = URL(fileURLWithPath: cli.databasePath).deletingLastPathComponent().path
        #expect(FileManager.default.fileExists(atPath: keyFolder + "/dryad.key.retired-\(old)"))
        #expect(try cli.run(["audit", "verify"]).status == 0)
        let head = try cli.run(["audit", "head"])
        #expect(head.status == 0)
        let parts = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        #expect(parts.count == 2 && Int(parts[0]) != nil && parts[1].count == 64, "\(head.stdout)")
    }
}
