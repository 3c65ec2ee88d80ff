import Foundation
import GRDB
import Testing

@Suite struct AccessCommandTests {
    let cli: CLIHarness

    init() throws {
        cli = try CLIHarness()
        #expect(try cli.run(["tools", "register", "web", "--description", "w", "--command", "/bin/echo", "--command", "{\"ok\":true}"]).status == 0)
        #expect(try cli.run(["tools", "register", "secret", "--description", "s"]).status == 0)
        #expect(try cli.run(["principals", "add", "planner", "--type", "agent"]).status == 0)
    }

    @Test func actingAsAPrincipalAppliesTheRules() throws {
        #expect(try cli.run(["perms", "grant", "web", "--principal", "planner", "--level", "read"]).status == 0)
        let listed = try cli.run(["--as", "planner", "tools", "list", "-o", "json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect((try json(listed.stdout)["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["web"])
        let hidden = try cli.run(["tools", "get", "secret"], environment: ["DRYAD_AS": "planner"])
        #expect(hidden.status == 3)
        #expect(hidden.stderr == "dryad: error: tool secret not found\n")

        let denied = try cli.run(["tools", "execute", "web", "--as", "planner"])
        #expect(denied.status == 4)
        #expect(denied.stderr == "dryad: error: planner may not execute tool web@1.0.0\n")
        let history = try json(try cli.run(["tools", "history", "web", "-o", "json"]).stdout)
        #expect((history["items"] as? [[String: Any]])?.first?["status"] as? String == "denied")

        let check = try cli.run(["perms", "check", "web", "--principal", "planner", "--level", "execute"])
        #expect(check.status == 4)
        #expect(check.stdout == "deny: no execute grant\n")
        #expect(try cli.run(["perms", "grant", "web", "--principal-type", "agent", "--level", "execute"]).status == 0)
        let allowed = try cli.run(["perms", "check", "web", "--principal", "planner", "--level", "execute", "-o", "json"])
        #expect(allowed.status == 0)
        #expect(try json(allowed.stdout)["reason"] as? String == "grant execute to type agent")
        #expect(try cli.run(["tools", "execute", "web", "--as", "planner"]).stdout == "{\n  \"ok\": true\n}\n")

        // Members manage nothing.
        #expect(try cli.run(["principals", "add", "x", "--type", "user", "--as", "planner"]).status == 4)
        #expect(try cli.run(["--as", "nobody", "tools", "list"]).status == 4)
        #expect(try cli.run(["tools", "list", "--as", "planner", "--token-file", "/dev/null"]).status == 64)
    }

    @Test func tokensAuthenticateAndBadOnesAreRefused() throws {
        #expect(try cli.run(["perms", "grant", "web", "--principal", "planner", "--level", "read"]).status == 0)
        let file = cli.folder + "/planner.token"
        let issued = try cli.run(["tokens", "issue", "planner", "--ttl", "15m", "--output-file", file])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        // The review's attack: a symlink where the token is expected truncated its target.
        // An existing file or a symlink is refused, and no token is issued for it.
        let victim = cli.folder + "/victim.txt", link = cli.folder + "/link.token"
        try "keep me".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        let tokensBefore = try cli.run(["tokens", "list", "-o", "jsonl"]).stdout
        for path in [link, file, victim] {
            let refused = try cli.run(["tokens", "issue", "planner", "--output-file", path])
            #expect(refused.status == 5)
            #expect(refused.stderr == "dryad: error: \(path) already exists; the token is written only to a new file\n")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me")
        #expect(try cli.run(["tokens", "list", "-o", "jsonl"]).stdout == tokensBefore)
        let dangling = cli.folder + "/dangling.token"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: cli.folder + "/made-by-link")
        #expect(try cli.run(["tokens", "issue", "planner", "--output-file", dangling]).status == 5)
        #expect(!FileManager.default.fileExists(atPath: cli.folder + "/made-by-link"))
        let viaFile = try cli.run(["tools", "list", "--token-file", file, "-o", "jsonl"])
        #expect(viaFile.status == 0, "\(viaFile.stderr)")
        #expect(viaFile.stdout.split(separator: "\n").count == 1)
        let token = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try cli.run(["tools", "get", "web"], environment: ["DRYAD_TOKEN": token]).status == 0)
        for bad in ["garbage", String(token.dropLast(3)), token + "x"] {
            let refused = try cli.run(["tools", "list"], environment: ["DRYAD_TOKEN": bad])
            #expect(refused.status == 4)
            #expect(refused.stderr == "dryad: error: invalid token\n")
        }
        let id = try #require((try json(try cli.run(["tokens", "list", "-o", "json"]).stdout)["items"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(try cli.run(["tokens", "revoke", id]).status == 0)
        #expect(try cli.run(["tools", "list", "--token-file", file]).status == 4)
        // The token never appears in the audit trail.
        let export = try cli.run(["audit", "export"])
        #expect(export.status == 0)
        #expect(!export.stdout.contains(token))
        #expect(export.stdout.split(separator: "\n").allSatisfy { (try? json(String($0))) != nil })
    }

    @Test func storageQuotasAreSetShownAndEnforced() throws {
        #expect(try cli.run(["principals", "add", "bot", "--type", "agent"]).status == 0)
        let set = try cli.run(["principals", "set-quota", "bot", "--sessions", "1", "--error-logs", "default"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("sessions      1"))
        #expect(set.stdout.contains("100000 (default)"))
        #expect(try cli.run(["sessions", "start", "--as", "bot"]).status == 0)
        let refused = try cli.run(["sessions", "start", "--as", "bot"])
        #expect(refused.status == 5)
        #expect(refused.stderr == "dryad: error: bot would hold 2 sessions, over its sessions quota of 1\n")
        let shown = try cli.run(["principals", "quota", "bot", "-o", "json"])
        #expect(shown.stdout.contains(#""quota" : "sessions""#) || shown.stdout.contains(#""quota": "sessions""#), "\(shown.stdout)")
        #expect(try cli.run(["principals", "set-quota", "bot"]).status == 64)
        #expect(try cli.run(["principals", "set-quota", "bot", "--sessions", "-3"]).status == 64)
    }

    @Test func auditVerifyCatchesAnEditMadeWithSQL() throws {
        #expect(try cli.run(["tools", "get", "web"]).status == 0)
        let ok = try cli.run(["audit", "verify"])
        #expect(ok.status == 0)
        #expect(ok.stdout.hasPrefix("ok: "))
        let denials = try json(try cli.run(["audit", "list", "--decision", "allow", "--action", "tools.get", "-o", "json"]).stdout)
        #expect((denials["items"] as? [Any])?.count == 1)
        try DatabaseQueue(path: cli.databasePath).write { db in
            try db.execute(sql: "UPDATE audit_log SET decision = 'allow', reason = 'edited' WHERE seq = 2")
        }
        let bad = try cli.run(["audit", "verify"])
        #expect(bad.status == 1)
        #expect(bad.stderr == "dryad: error: entry 2 was changed after it was written\n")
    }
}
