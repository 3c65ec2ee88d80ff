import Foundation
import Testing

@Suite struct ToolsCommandTests {
    let cli: CLIHarness

    init() throws { cli = try CLIHarness() }

    @Test func registerGetListRoundTrip() throws {
        let registered = try cli.run([
            "tools", "register", "web_search", "--description", "Search the web", "--version", "1.2.0",
            "--input-schema", #"{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}"#,
            "--command", "/usr/bin/search", "--command", "--fast", "--timeout", "12", "--env", "MODE=x",
            "--tag", "search", "--metadata", #"{"owner":"team-a"}"#, "-o", "json",
        ])
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(registered.stderr.isEmpty)
        let tool = try json(registered.stdout)
        #expect(tool["name"] as? String == "web_search")
        #expect(tool["version"] as? String == "1.2.0")
        #expect(tool["status"] as? String == "active")
        #expect(tool["revision"] as? Int == 1)
        #expect(tool["output_schema"] is NSNull)
        let executor = try #require(tool["executor"] as? [String: Any])
        #expect(executor["argv"] as? [String] == ["/usr/bin/search", "--fast"])
        #expect(executor["timeout_seconds"] as? Int == 12)
        #expect((executor["env"] as? [String: String]) == ["MODE": "x"])
        #expect(
            Set(tool.keys) == [
                "id", "name", "version", "description", "input_schema", "output_schema", "executor",
                "tags", "metadata", "status", "revision", "created_at", "updated_at",
            ])

        let got = try cli.run(["tools", "get", "web_search@1.2.0", "-o", "json"])
        #expect(got.status == 0)
        #expect(got.stdout == registered.stdout)

        let listed = try cli.run(["tools", "list", "-o", "json"])
        let page = try json(listed.stdout)
        #expect((page["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["web_search"])
        #expect(page["next_cursor"] is NSNull)

        let table = try cli.run(["tools", "list"])
        #expect(table.stdout.hasPrefix("NAME        VERSION  STATUS  TAGS    DESCRIPTION\nweb_search  1.2.0    active  search  Search the web\n"))
    }

    /// Stored text cannot drive the reader's terminal: control characters print as escapes in tables and field blocks.
    @Test func controlCharactersPrintAsEscapes() throws {
        #expect(try cli.run(["tools", "register", "t", "--description", "a\u{1b}[2Jb\u{9b}c"]).status == 0)
        for arguments in [["tools", "list"], ["tools", "get", "t"]] {
            let shown = try cli.run(arguments).stdout
            #expect(!shown.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{9b}" }, "\(arguments)")
            #expect(shown.contains("a\\u{1b}[2Jb\\u{9b}c"), "\(arguments): \(shown)")
        }
        // JSON output escapes them its own way.
        #expect(try cli.run(["tools", "get", "t", "-o", "json"]).stdout.contains("a\\u001b[2Jb"))
        // So do error lines, which quote arguments and stored values.
        let missing = try cli.run(["memory", "get", "a\u{1b}[2J\rb"])
        #expect(missing.status == 3)
        #expect(!missing.stderr.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\r" }, "\(missing.stderr)")
        #expect(missing.stderr.contains("a\\u{1b}[2J\\u{d}b"), "\(missing.stderr)")
    }

    @Test func listPagesWithCursorsInJSONLines() throws {
        for name in ["c", "a", "b"] {
            #expect(try cli.run(["tools", "register", name, "--description", "d"]).status == 0)
        }
        let first = try cli.run(["tools", "list", "--limit", "2", "-o", "jsonl"])
        let lines = first.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(try lines.map { try json(String($0))["name"] as? String } == ["a", "b"])
        let cursor = try #require(first.stderr.components(separatedBy: "--cursor ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let second = try cli.run(["tools", "list", "--limit", "2", "--cursor", cursor, "-o", "json"])
        let page = try json(second.stdout)
        #expect((page["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["c"])
        #expect(page["next_cursor"] is NSNull)
    }

    @Test func registerFromYAMLFileWithSeveralDefinitions() throws {
        let file = try cli.write(
            "tools.yaml",
            """
            - name: alpha
              description: First tool
              version: 2.0.0
              tags: [a]
              executor:
                kind: http
                url: https://example.test/run
                headers:
                  Authorization: Bearer ${TOKEN}
            - name: beta
              description: Second tool
              input_schema:
                type: object
                properties:
                  n: {type: integer, minimum: 1}
            """)
        let result = try cli.run(["tools", "register", "--file", file, "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let items = try #require(try json(result.stdout)["items"] as? [[String: Any]])
        #expect(items.map { $0["name"] as? String } == ["alpha", "beta"])
        let schema = try #require(items[1]["input_schema"] as? [String: Any])
        let n = try #require((schema["properties"] as? [String: Any])?["n"] as? [String: Any])
        #expect(n["minimum"] as? Int == 1)
        let executor = try #require(items[0]["executor"] as? [String: Any])
        #expect(executor["method"] as? String == "POST")
    }

    @Test func aBadDocumentInAFileWritesNothing() throws {
        let file = try cli.write("tools.json", #"[{"name":"ok","description":"fine"},{"name":"bad","description":"x","colour":1}]"#)
        let result = try cli.run(["tools", "register", "--file", file])
        #expect(result.status == 65)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "dryad: error: \(file): [1].colour: unknown field\n")
        let list = try cli.run(["tools", "list", "-o", "json"])
        #expect((try json(list.stdout)["items"] as? [Any])?.isEmpty == true)
    }

    @Test func updateAndStaleRevision() throws {
        #expect(try cli.run(["tools", "register", "t", "--description", "d", "--command", "/bin/true"]).status == 0)
        let updated = try cli.run(["tools", "update", "t", "--status", "deprecated", "--timeout", "5", "--if-revision", "1", "-o", "json"])
        #expect(updated.status == 0, "\(updated.stderr)")
        let tool = try json(updated.stdout)
        #expect(tool["revision"] as? Int == 2)
        #expect(tool["status"] as? String == "deprecated")
        #expect((tool["executor"] as? [String: Any])?["timeout_seconds"] as? Int == 5)
        let stale = try cli.run(["tools", "update", "t", "--description", "x", "--if-revision", "1"])
        #expect(stale.status == 5)
        #expect(stale.stderr == "dryad: error: tool t@1.0.0 is at revision 2, not 1\n")
    }

    @Test func deleteNeedsAllVersionsForSeveral() throws {
        #expect(try cli.run(["tools", "register", "t", "--description", "d"]).status == 0)
        #expect(try cli.run(["tools", "register", "t", "--description", "d", "--version", "1.1.0"]).status == 0)
        let refused = try cli.run(["tools", "delete", "t"])
        #expect(refused.status == 5)
        #expect(refused.stderr == "dryad: error: tool t has 2 versions: name one as t@VERSION or pass --all-versions\n")
        let oneAndAll = try cli.run(["tools", "delete", "t@1.1.0", "--all-versions"])
        #expect(oneAndAll.status == 65)
        #expect(oneAndAll.stderr == "dryad: error: t@1.1.0 names a single version: name the tool without @VERSION to use --all-versions\n")
        let one = try cli.run(["tools", "delete", "t@1.1.0"])
        #expect(one.status == 0)
        #expect(one.stdout == "deleted t@1.1.0\n")
        #expect(try cli.run(["tools", "register", "t", "--description", "d", "--version", "2.0.0"]).status == 0)
        let all = try cli.run(["tools", "delete", "t", "--all-versions", "-o", "json"])
        #expect(all.status == 0)
        #expect((try json(all.stdout)["items"] as? [[String: Any]])?.map { $0["version"] as? String } == ["2.0.0", "1.0.0"])
        #expect(try cli.run(["tools", "get", "t"]).status == 3)
    }

    @Test func errorsHaveDocumentedCodesAndOneLine() throws {
        #expect(try cli.run(["tools", "register", "t", "--description", "d"]).status == 0)
        let cases: [([String], Int32, String)] = [
            (["tools", "get", "missing"], 3, "not_found"),
            (["tools", "register", "t", "--description", "again"], 5, "conflict"),
            (["tools", "register", "bad name", "--description", "d"], 65, "invalid_input"),
            (["tools", "register", "x", "--description", "d", "--input-schema", "{oops"], 65, "invalid_input"),
            (["tools", "register", "x", "--description", "d", "--input-schema", "@/no/such/file"], 65, "invalid_input"),
            (["tools", "register", "x", "--description", "d", "--http", "file:///etc/passwd"], 65, "invalid_input"),
            (["tools", "register", "x"], 64, "usage"),
            (["tools", "register", "x", "--description", "d", "--command", "/bin/a", "--http", "http://h/"], 64, "usage"),
            (["tools", "list", "--limit", "100000"], 65, "invalid_input"),
            (["tools", "list", "--limit", "ten"], 64, "usage"),
            (["tools", "list", "--cursor", "nope"], 65, "invalid_input"),
            (["tools", "get", "../../etc/passwd"], 65, "invalid_input"),
            (["tools", "frobnicate"], 64, "usage"),
        ]
        for (arguments, status, code) in cases {
            let text = try cli.run(arguments)
            #expect(text.status == status, "\(arguments): \(text.stderr)")
            #expect(text.stdout.isEmpty, "\(arguments)")
            #expect(text.stderr.hasPrefix("dryad: error: "), "\(arguments): \(text.stderr)")
            #expect(text.stderr.split(separator: "\n").count == 1, "\(arguments): \(text.stderr)")
            let structured = try cli.run(arguments + ["-o", "json"])
            #expect(structured.status == status)
            let error = try #require(try json(structured.stderr)["error"] as? [String: Any], "\(arguments)")
            #expect(error["code"] as? String == code, "\(arguments)")
            #expect((error["message"] as? String)?.isEmpty == false)
        }
    }

    @Test func readsInputFromStdin() throws {
        let result = try cli.run(["tools", "register", "--file", "-", "-o", "json"], stdin: #"{"name":"piped","description":"from stdin"}"#)
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try json(result.stdout)["items"] as? [[String: Any]])?.first?["name"] as? String == "piped")
    }

    @Test func refusesYAMLAliases() throws {
        let file = try cli.write("bomb.yaml", "a: &a [x, x]\nb: [*a, *a]\nname: t\ndescription: d\n")
        let result = try cli.run(["tools", "register", "--file", file])
        #expect(result.status == 65)
        #expect(result.stderr.contains("anchors and aliases are not supported"), "\(result.stderr)")
    }
}
