import DryadCore
import Foundation
import GRDB
import Testing

@Suite struct DatabaseCommandTests {
    let cli: CLIHarness

    init() throws { cli = try CLIHarness() }

    @Test func statusReportsSchemaAndCounts() throws {
        #expect(try cli.run(["tools", "register", "t", "--description", "d"]).status == 0)
        let result = try cli.run(["db", "status", "-o", "json"])
        #expect(result.status == 0)
        let status = try json(result.stdout)
        #expect(status["path"] as? String == cli.databasePath)
        #expect(status["schema_version"] as? Int == DryadDatabase.schemaVersion)
        #expect((status["sqlite_version"] as? String)?.hasPrefix("3.") == true)
        #expect(status["journal_mode"] as? String == "wal")
        #expect((status["counts"] as? [String: Int]) == ["tools": 1, "tool_versions": 1, "sessions": 0, "executions": 0])
    }

    @Test func defaultLocationFollowsXDGAndIsPrivate() throws {
        let dataHome = cli.folder + "/xdg"
        let result = try CLIHarness.run(
            ["db", "status", "-o", "json"], stdin: nil,
            environment: ["HOME": cli.folder, "XDG_DATA_HOME": dataHome])
        #expect(result.status == 0, "\(result.stderr)")
        let path = dataHome + "/dryad/dryad.db"
        #expect(try json(result.stdout)["path"] as? String == path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let flag = try CLIHarness.run(
            ["db", "status", "--db", cli.folder + "/flag.db", "-o", "json"], stdin: nil,
            environment: ["HOME": cli.folder, "DRYAD_DB": cli.folder + "/env.db"])
        #expect(try json(flag.stdout)["path"] as? String == cli.folder + "/flag.db")
    }

    /// The review's finding: an existing empty file (`touch`, mode 0644) kept its mode while it
    /// received signing keys. dryad makes a file it initialises private, and warns on every
    /// open about a database others can read.
    @Test func anEmptyFileDryadInitialisesBecomesPrivateAndAnOpenDatabaseIsWarnedAbout() throws {
        let path = cli.folder + "/touched.db"
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]))
        let first = try cli.run(["db", "status", "--db", path])
        #expect(first.status == 0 && first.stderr == "", "\(first.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let opened = try cli.run(["db", "status", "--db", path])
        #expect(opened.status == 0)
        #expect(
            opened.stderr
                == "dryad: warning: the database \(path) has mode 644: its group or others can read or write it; make it private with chmod 600\n")
        // Not changed behind the operator's back: sharing the file with a group may be meant.
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o644)
    }

    /// A directory where a file belongs, or an empty --db, is one clear line and exit 65.
    @Test func directoriesAndEmptyPathsAreClearInputErrors() throws {
        let cases: [([String], String)] = [
            (["apply", "-f", cli.folder], "cannot read \(cli.folder): it is a directory"),
            (["import", cli.folder], "cannot read \(cli.folder): it is a directory"),
            (["--token-file", cli.folder, "tools", "list"], "cannot read \(cli.folder): it is a directory"),
            (["db", "restore", cli.folder, "--yes"], "\(cli.folder) is a directory, not a dryad database"),
            (["tools", "list", "--db", ""], "--db: the path is empty"),
        ]
        for (arguments, message) in cases {
            let result = try cli.run(arguments)
            #expect(result.status == 65, "\(arguments): \(result.stderr)")
            #expect(result.stderr == "dryad: error: \(message)\n", "\(arguments)")
        }
    }

    @Test func aFileFromANewerDryadIsRefused() throws {
        #expect(try cli.run(["db", "status"]).status == 0)
        try DatabaseQueue(path: cli.databasePath).write { db in try db.execute(sql: "PRAGMA user_version = 99") }
        let result = try cli.run(["tools", "list"])
        #expect(result.status == 5)
        #expect(result.stderr == "dryad: error: database schema version 99 is newer than this dryad supports (\(DryadDatabase.schemaVersion)); upgrade dryad\n")
    }

    @Test func twoWriterProcessesAtOnceBothSucceed() async throws {
        // Create the file first so both writers race on writes, then race a second pair on creation too.
        for round in 0..<2 {
            let path = cli.folder + "/race\(round).db"
            if round == 0 { #expect(try cli.run(["db", "status", "--db", path]).status == 0) }
            let results = try await withThrowingTaskGroup(of: RunResult.self) { group in
                for writer in 0..<2 {
                    group.addTask {
                        let definitions = (0..<20).map { #"{"name":"w\#(writer)_\#($0)","description":"d"}"# }
                        let file = try self.cli.write("batch\(round)-\(writer).json", "[" + definitions.joined(separator: ",") + "]")
                        var last = RunResult(status: 0, stdout: "", stderr: "")
                        for definition in 0..<5 {
                            last = try self.cli.run(["tools", "register", "w\(writer)_single\(definition)", "--description", "d", "--db", path])
                            if last.status != 0 { return last }
                        }
                        return try self.cli.run(["tools", "register", "--file", file, "--db", path])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for result in results { #expect(result.status == 0, "\(result.stderr)") }
            let status = try json(try cli.run(["db", "status", "--db", path, "-o", "json"]).stdout)
            #expect((status["counts"] as? [String: Int])?["tools"] == 50)
        }
    }

    @Test func versionAndHelp() throws {
        let version = try cli.run(["version", "-o", "json"])
        #expect(try json(version.stdout)["version"] as? String == "0.1.0")
        let help = try cli.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("tools"))
    }

    /// A global option in front of a group or a mistyped subcommand is not what went wrong:
    /// the error names the real problem, and a group still shows its help.
    @Test func globalOptionsDoNotHideTheRealUsageError() throws {
        let cases: [([String], String)] = [
            (["--db", cli.databasePath, "memory", "bogus"], "dryad: error: Unexpected argument 'bogus' (see 'dryad help')\n"),
            (["-o", "json", "tools", "lst"], #"{"error":{"code":"usage","message":"Unexpected argument 'lst' (see 'dryad help')"}}"# + "\n"),
            (["tools", "lst", "--as", "bob"], "dryad: error: Unexpected argument 'lst' (see 'dryad help')\n"),
        ]
        for (arguments, stderr) in cases {
            let result = try cli.run(arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr == stderr, "\(arguments)")
        }
        let group = try cli.run(["--db", cli.databasePath, "tools"])
        #expect(group.status == 0)
        #expect(group.stdout.hasPrefix("OVERVIEW: Register, find, update and delete tools."))
        // A global option the group cannot take never runs the command without it (it would
        // use another file, or act as the local operator).
        for arguments in [["tools", "--db", cli.folder + "/other.db", "register", "x", "--description", "d"], ["tools", "--as", "nobody", "list"]] {
            let refused = try cli.run(arguments)
            #expect(refused.status == 64, "\(arguments)")
            #expect(refused.stderr.hasPrefix("dryad: error: Unknown option '--"), "\(arguments): \(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: cli.folder + "/other.db"))
        #expect(try cli.run(["tools", "list"]).stderr == "no tools found\n")
        // A bad value of a global option is still reported as such.
        #expect(try cli.run(["-o", "yaml", "tools", "list"]).stderr.contains("'yaml' is invalid for '-o <output>'"))
    }
}

@Suite struct MaintenanceCommandTests {
    let cli: CLIHarness

    init() throws { cli = try CLIHarness() }

    @Test func backupCheckAndRestoreFromTheCLI() throws {
        #expect(try cli.run(["tools", "register", "t", "--description", "d"]).status == 0)
        let copy = cli.folder + "/copy.db"
        let backup = try cli.run(["db", "backup", copy])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(try cli.run(["db", "backup", copy]).status == 5)
        #expect(try cli.run(["tools", "delete", "t"]).status == 0)
        let refused = try cli.run(["db", "restore", copy])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--yes"))
        #expect(try cli.run(["db", "restore", copy, "--yes"]).status == 0)
        #expect(try cli.run(["tools", "get", "t"]).status == 0)
        let check = try cli.run(["db", "check"])
        #expect(check.status == 0)
        #expect(check.stdout == "integrity_check: ok\nforeign_key_check: ok\naudit_chain: ok\nschema_objects: ok\nread_cache_markers: ok\n")
        #expect(try cli.run(["db", "vacuum"]).status == 0)
        #expect(try cli.run(["db", "migrate", "-o", "json"]).status == 0)
        try DatabaseQueue(path: cli.databasePath).write { db in try db.execute(sql: "UPDATE audit_log SET reason = 'forged' WHERE seq = 1") }
        let failed = try cli.run(["db", "check"])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("audit_chain: FAILED entry 1 was changed after it was written"))
    }
}
