import Foundation
import Testing

@Suite struct TransferCommandTests {
    let cli: CLIHarness

    init() throws { cli = try CLIHarness() }

    static let fixtures = """
        kind: Principal
        name: alice
        type: user
        ---
        kind: Tool
        name: echo
        description: Echo
        executor: {kind: command, argv: [/bin/cat]}
        ---
        kind: Permission
        tool: echo
        principal: alice
        level: execute
        ---
        kind: MemoryContext
        key: planner/root
        agent_id: planner
        data: {goal: ship}
        ---
        kind: MemoryContext
        key: planner/step
        parent_key: planner/root
        agent_id: planner
        data: {step: 1}

        """

    @Test func applyIsIdempotentAndDryRunWritesNothing() throws {
        let file = try cli.write("fixtures.yaml", Self.fixtures)
        let plan = try cli.run(["apply", "-f", file, "--dry-run"])
        #expect(plan.status == 0)
        #expect(plan.stderr == "dry run: 5 to create, 0 to update, 0 unchanged; nothing written\n")
        #expect(try cli.run(["tools", "list"]).stderr == "no tools found\n")

        let first = try cli.run(["apply", "-f", file])
        #expect(first.status == 0)
        #expect(first.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("create ") })
        #expect(first.stderr == "applied: 5 created, 0 updated, 0 unchanged\n")

        let second = try cli.run(["apply", "-f", "-", "-o", "json"], stdin: Self.fixtures)
        #expect(second.status == 0)
        let changes = try #require(try json(second.stdout)["changes"] as? [[String: Any]])
        #expect(changes.map { $0["action"] as? String } == Array(repeating: "unchanged", count: 5))
        #expect(second.stderr == "applied: 0 created, 0 updated, 5 unchanged\n")

        // The fixture's key finds the context in -o json.
        let stored = try cli.run(["memory", "list", "--agent", "planner", "-o", "jsonl"])
        #expect(stored.stdout.contains(#""key":"planner/root""#))
    }

    /// The review's two findings through the binary: `shared_with` was dropped without a word,
    /// and a child's `memory get -o json` fed back to `apply` failed on `parent_id`.
    @Test func aContextsOwnJSONAppliesAgainWithItsShares() throws {
        let file = try cli.write(
            "fixtures.yaml",
            Self.fixtures + "---\nkind: MemoryContext\nkey: planner/shared\nagent_id: planner\nshared_with: [{agent_id: critic, access: write}]\n")
        #expect(try cli.run(["apply", "-f", file]).status == 0)
        let shared = try json(try cli.run(["memory", "get", "--key", "planner/shared", "--agent", "planner", "-o", "json"]).stdout)
        #expect((shared["shared_with"] as? [[String: String]]) == [["agent_id": "critic", "access": "write"]])

        let child = try cli.run(["memory", "get", "--key", "planner/step", "--agent", "planner", "-o", "json"])
        #expect(child.status == 0)
        let document = "{\"kind\":\"MemoryContext\"," + child.stdout.drop { $0 != "{" }.dropFirst()
        let again = try cli.run(["apply", "-f", "-"], stdin: document)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr == "applied: 0 created, 0 updated, 1 unchanged\n")
    }

    @Test func aBadDocumentFailsWithItsPlaceAndWritesNothing() throws {
        let file = try cli.write("fixtures.yaml", Self.fixtures + "---\nkind: Permission\ntool: echo\nprincipal: nobody\nlevel: read\n")
        let result = try cli.run(["apply", "-f", file])
        #expect(result.status == 3)
        #expect(result.stderr == "dryad: error: \(file): document 6: principal: nobody is not a principal (nor defined earlier in the file)\n")
        #expect(try cli.run(["tools", "list"]).stderr == "no tools found\n")

        let typo = try cli.run(["apply", "-f", "-"], stdin: "kind: Principal\nname: bob\ntype: user\nrole: boss\n")
        #expect(typo.status == 65)
        #expect(typo.stderr == "dryad: error: stdin: document 1: role: expected one of admin, member\n")
    }

    /// A YAML stream broken after its first document fails whole: nothing of it is applied.
    /// (Yams' `compose_all` ended its sequence quietly at the error, so the documents before
    /// it were applied with exit 0.) Keys given twice are refused in YAML and in JSON.
    @Test func aBrokenLaterDocumentOrARepeatedKeyAppliesNothing() throws {
        let broken = try cli.run(["apply", "-f", "-"], stdin: "kind: Principal\nname: p1\ntype: user\n---\nkind: Principal\nname: p2\n  bad: [\n")
        #expect(broken.status == 65)
        #expect(broken.stderr.hasPrefix("dryad: error: stdin: invalid YAML: "), "\(broken.stderr)")
        let repeated = try cli.run(["apply", "-f", "-"], stdin: "kind: Principal\nname: p1\nname: p2\ntype: user\n")
        #expect(repeated.status == 65)
        #expect(repeated.stderr.contains("duplicated key(s): 'name'"), "\(repeated.stderr)")
        let json = try cli.run(["apply", "-f", "-"], stdin: #"{"kind":"Principal","name":"p1","name":"p2","type":"user"}"#)
        #expect(json.status == 65)
        #expect(json.stderr == "dryad: error: stdin: invalid JSON: the key \"name\" appears twice in one object\n")
        #expect(try cli.run(["principals", "list"]).stderr == "no principals found\n")
    }

    /// `DRYAD_MEMORY_MAX_BYTES` holds for fixtures as for `memory store`; a malformed limit is refused up front.
    @Test func applyHonoursTheMemoryLimit() throws {
        let limited = try cli.run(["apply", "-f", "-"], stdin: Self.fixtures, environment: ["DRYAD_MEMORY_MAX_BYTES": "12"])
        #expect(limited.status == 65, "\(limited.stderr)")
        #expect(limited.stderr.contains("document 4: data: 15 bytes is over the 12-byte limit"), "\(limited.stderr)")
        #expect(try cli.run(["tools", "list"]).stderr == "no tools found\n")
        let malformed = try cli.run(["tools", "list"], environment: ["DRYAD_MEMORY_MAX_BYTES": "lots"])
        #expect(malformed.status == 65)
        #expect(malformed.stderr == "dryad: error: DRYAD_MEMORY_MAX_BYTES: expected a positive number of bytes\n")
    }

    @Test func exportImportExportIsByteIdenticalAndQuietInPipes() throws {
        let file = try cli.write("fixtures.yaml", Self.fixtures)
        #expect(try cli.run(["apply", "-f", file]).status == 0)
        #expect(try cli.run(["tools", "execute", "echo", "--input", #"{"a":1}"#]).status == 0)

        let first = try cli.run(["export"])
        #expect(first.status == 0)
        #expect(first.stderr.isEmpty)
        let bundle = try cli.write("bundle.jsonl", first.stdout)

        let copy = cli.folder + "/copy.db"
        let imported = try cli.run(["--db", copy, "import", bundle])
        #expect(imported.status == 0)
        #expect(imported.stdout.hasPrefix("imported "))
        let target = cli.folder + "/again.jsonl"
        let second = try cli.run(["--db", copy, "export", "--output-file", target])
        #expect(second.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(first.stdout.utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let again = try cli.run(["--db", copy, "import", bundle])
        #expect(again.status == 5)
        #expect(again.stderr.hasSuffix("import needs an empty database, and tool_registry has rows: import into a new --db file\n"), "\(again.stderr)")

        // A new file on which `db migrate` and `db status` ran holds only bookkeeping: it takes
        // the bundle, whose trail replaces that bookkeeping and still verifies.
        let checked = cli.folder + "/checked.db"
        #expect(try cli.run(["--db", checked, "db", "migrate"]).status == 0)
        #expect(try cli.run(["--db", checked, "db", "status"]).status == 0)
        let into = try cli.run(["--db", checked, "import", bundle])
        #expect(into.status == 0, "\(into.stderr)")
        #expect(try cli.run(["--db", checked, "audit", "verify"]).status == 0)
        // An import that failed changed nothing, so a retry into the same file works.
        let retried = cli.folder + "/retried.db"
        let truncated = try cli.write("truncated.jsonl", String(first.stdout.split(separator: "\n").dropLast().joined(separator: "\n")) + "\n")
        #expect(try cli.run(["--db", retried, "import", truncated]).status == 65)
        let retry = try cli.run(["--db", retried, "import", bundle])
        #expect(retry.status == 0, "\(retry.stderr)")
        // A file that holds a change of its own is not empty.
        let used = cli.folder + "/used.db"
        #expect(try cli.run(["--db", used, "principals", "add", "x", "--type", "user"]).status == 0)
        let refused = try cli.run(["--db", used, "import", bundle])
        #expect(refused.status == 5)
        #expect(refused.stderr.contains("principal has rows"), "\(refused.stderr)")
    }

    @Test func exportRefusesSectionsMissingWhatTheyPointAt() throws {
        let result = try cli.run(["export", "--include", "tools,permissions"])
        #expect(result.status == 65)
        #expect(result.stderr == "dryad: error: include: permissions needs principals too (its rows point at them)\n")
        let unknown = try cli.run(["export", "--include", "tools,secrets"])
        #expect(unknown.status == 64)
    }

    /// The shell asks `dryad ---completion …` on Tab; names come from the database on the line.
    @Test func completionsOfferToolNamesAndContextIDs() throws {
        let file = try cli.write("fixtures.yaml", Self.fixtures)
        #expect(try cli.run(["apply", "-f", file]).status == 0)
        let tools = try cli.run(["---completion", "tools", "get", "--", "positional@0", "3", "1", "dryad", "tools", "get", "e"])
        #expect(tools.stdout == "echo\n")
        let versions = try cli.run(["---completion", "tools", "get", "--", "positional@0", "3", "5", "dryad", "tools", "get", "echo@"])
        #expect(versions.stdout == "echo@1.0.0\n")
        let ids = try cli.run(["---completion", "memory", "get", "--", "positional@0", "3", "0", "dryad", "memory", "get", ""])
        #expect(ids.stdout.split(separator: "\n").count == 2)
        // A --db on the line wins; a missing file offers nothing and creates nothing.
        let missing = cli.folder + "/none.db"
        let none = try cli.run(["---completion", "tools", "get", "--", "positional@0", "5", "0", "dryad", "tools", "get", "--db", missing, ""])
        #expect(none.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
