import Foundation
import Testing

@Suite struct MemoryCommandTests {
    let cli: CLIHarness

    init() throws { cli = try CLIHarness() }

    /// The fields every context object carries.
    static let contextKeys: Set<String> = [
        "id", "key", "agent_id", "context_type", "data", "parent_id", "tags", "version",
        "created_at", "updated_at", "expires_at", "shared_with",
    ]
    static let errorKeys: Set<String> = [
        "id", "error_type", "error_message", "stack_trace", "fix_applied", "resolution_note",
        "context_id", "execution_id", "principal", "created_at", "resolved_at",
    ]

    // MARK: - Helpers

    /// Runs a command that must succeed with `-o json` and returns the printed object.
    func object(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String: Any] {
        let result = try cli.run(arguments + ["-o", "json"], stdin: stdin, environment: environment)
        #expect(result.status == 0, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        return try json(result.stdout)
    }

    /// Runs a listing that must succeed with `-o json`, checks the `{"items", "next_cursor"}` shape
    /// and returns the items and the cursor.
    func page(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> (items: [[String: Any]], cursor: String?) {
        let printed = try object(arguments, sourceLocation: sourceLocation)
        #expect(Set(printed.keys) == ["items", "next_cursor"], "\(arguments)", sourceLocation: sourceLocation)
        let items = try #require(printed["items"] as? [[String: Any]], sourceLocation: sourceLocation)
        let cursor = printed["next_cursor"] as? String
        #expect(cursor != nil || printed["next_cursor"] is NSNull, sourceLocation: sourceLocation)
        return (items, cursor)
    }

    func ids(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        try page(arguments, sourceLocation: sourceLocation).items.compactMap { $0["id"] as? String }
    }

    /// Stores a context and returns its id.
    func store(
        _ data: String? = nil, agent: String = "planner-7", _ extra: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        var arguments = ["memory", "store", "--agent", agent] + extra
        if let data { arguments += ["--data", data] }
        return try #require(try object(arguments, sourceLocation: sourceLocation)["id"] as? String, sourceLocation: sourceLocation)
    }

    /// True when a printed JSON value equals the JSON in `text`.
    func same(_ value: Any?, _ text: String) throws -> Bool {
        guard let value else { return false }
        let expected = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        return NSArray(object: value).isEqual(NSArray(object: expected))
    }

    /// A failure with exit `status`, nothing on stdout and one `dryad: error:` line on stderr.
    func expectFailure(
        _ arguments: [String], _ status: Int32, stdin: String? = nil, mentioning text: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let result = try cli.run(arguments, stdin: stdin)
        #expect(result.status == status, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "\(arguments)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("dryad: error: "), "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(
            result.stderr.hasSuffix("\n") && result.stderr.split(separator: "\n").count == 1,
            "one line: \(result.stderr)", sourceLocation: sourceLocation)
        if let text {
            #expect(result.stderr.contains(text), "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    var unknownID: String { UUID().uuidString.lowercased() }

    // MARK: - Store and get

    @Test func storeAndGetPrintContextObjects() throws {
        let stored = try object([
            "memory", "store", "--agent", "planner-7", "--type", "task", "--tag", "q3", "--tag", "team",
            "--data", #"{"goal": "ship", "facts": [1, 2]}"#,
        ])
        #expect(Set(stored.keys) == Self.contextKeys)
        let id = try #require(stored["id"] as? String)
        #expect(id.count == 36)
        #expect(stored["agent_id"] as? String == "planner-7")
        #expect(stored["context_type"] as? String == "task")
        #expect(try same(stored["data"], #"{"goal": "ship", "facts": [1, 2]}"#))
        #expect(stored["parent_id"] is NSNull)
        #expect(stored["tags"] as? [String] == ["q3", "team"])
        #expect(stored["version"] as? Int == 1)
        #expect(stored["expires_at"] is NSNull)
        #expect((stored["shared_with"] as? [Any])?.isEmpty == true)
        #expect(stored["created_at"] as? String == stored["updated_at"] as? String)

        let fetched = try object(["memory", "get", id])
        #expect(Set(fetched.keys) == Self.contextKeys.union(["unresolved_errors"]))
        #expect(fetched["unresolved_errors"] as? Int == 0)
        #expect(try same(fetched["data"], #"{"goal": "ship", "facts": [1, 2]}"#))

        let table = try cli.run(["memory", "get", id])
        #expect(table.status == 0)
        #expect(table.stdout.contains("unresolved_errors:"))
        #expect(table.stdout.contains(#"{"facts":[1,2],"goal":"ship"}"#), "\(table.stdout)")

        // Defaults: type general, data {}, and a ttl sets expires_at.
        let plain = try object(["memory", "store", "--agent", "a", "--ttl", "2h"])
        #expect(plain["context_type"] as? String == "general")
        #expect(try same(plain["data"], "{}"))
        #expect(plain["expires_at"] is String)
    }

    /// Contexts are found by key as well as by id; keys are unique per agent, so the agent is
    /// named (a calling agent's own by default).
    @Test func getByKey() throws {
        let id = try store(#"{"a":1}"#, agent: "planner-7", ["--key", "plans/q3"])
        _ = try store(#"{"a":2}"#, agent: "critic-2", ["--key", "plans/q3"])
        #expect(try object(["memory", "get", "--key", "plans/q3", "--agent", "planner-7"])["id"] as? String == id)
        let resolved = try object(["memory", "get", "--key", "plans/q3", "--agent", "critic-2", "--resolved"])
        #expect(try same(resolved["data"], #"{"a":2}"#))
        try expectFailure(["memory", "get", "--key", "plans/q3"], 64, mentioning: "--key needs --agent")
        try expectFailure(["memory", "get", "--key", "nope", "--agent", "planner-7"], 3, mentioning: "context with key nope of agent planner-7 not found")
        try expectFailure(["memory", "get", id, "--key", "plans/q3"], 64)
        #expect(try ids(["memory", "list", "--agent", "planner-7"]).contains(id))
    }

    @Test func dataComesInlineFromStdinOrAFile() throws {
        let fromStdin = try object(["memory", "store", "--agent", "a", "--data", "-"], stdin: #"{"from": "stdin"}"#)
        #expect(try same(fromStdin["data"], #"{"from": "stdin"}"#))

        let file = try cli.write("data.json", #"{"from": "file", "n": 1.5}"#)
        let fromFile = try object(["memory", "store", "--agent", "a", "--data-file", file])
        #expect(try same(fromFile["data"], #"{"from": "file", "n": 1.5}"#))

        let limited = try cli.run(
            ["memory", "store", "--agent", "a", "--data", #"{"k": "0123456789"}"#],
            environment: ["DRYAD_MEMORY_MAX_BYTES": "10"])
        #expect(limited.status == 65, "\(limited.stderr)")
    }

    @Test func badInputIsRefusedWithDocumentedExitCodes() throws {
        try expectFailure(["memory", "store", "--agent", "a", "--data", "{bad"], 65, mentioning: "--data")
        try expectFailure(["memory", "store", "--agent", "a", "--data", "-"], 65, stdin: "{\"unclosed\": ", mentioning: "--data")
        try expectFailure(["memory", "store", "--agent", "a", "--data", "[1, 2]"], 65, mentioning: "object")
        try expectFailure(["memory", "store", "--agent", "a", "--data-file", cli.folder + "/missing.json"], 65)
        try expectFailure(["memory", "store", "--agent", "bad agent"], 65)
        try expectFailure(["memory", "store", "--agent", "a", "--type", "no spaces"], 65)
        try expectFailure(["memory", "store", "--agent", "a", "--tag", "bad tag"], 65)
        try expectFailure(["memory", "store", "--agent", "a", "--ttl", "soon"], 65)
        try expectFailure(["memory", "store", "--agent", "a", "--ttl", "0s"], 65)
        let file = try cli.write("d.json", "{}")
        try expectFailure(["memory", "store", "--agent", "a", "--data", "{}", "--data-file", file], 64)
        try expectFailure(["memory", "store"], 64)
        #expect(try page(["memory", "list"]).items.isEmpty, "nothing was stored")
    }

    @Test func unknownIDsAreNotFound() throws {
        let missing = unknownID
        let commands: [[String]] = [
            ["memory", "get", missing], ["memory", "get", missing, "--resolved", "--explain"], ["memory", "history", missing],
            ["memory", "parents", missing], ["memory", "children", missing, "--recursive"],
            ["memory", "update", missing, "--tag", "x"], ["memory", "share", missing, "--with", "critic-2"],
            ["memory", "unshare", missing, "--with", "critic-2"], ["memory", "delete", missing, "--recursive"],
            ["memory", "store", "--agent", "a", "--parent", missing], ["errors", "log", "--type", "E", "--message", "m", "--context", missing],
            ["errors", "resolve", missing],
        ]
        for command in commands {
            try expectFailure(command, 3)
        }
        // With -o json the error is one JSON object on stderr.
        let result = try cli.run(["memory", "get", missing, "-o", "json"])
        #expect(result.status == 3)
        let error = try #require(try json(result.stderr)["error"] as? [String: Any])
        #expect(error["code"] as? String == "not_found")
        #expect((error["message"] as? String)?.contains(missing) == true)
    }

    // MARK: - Resolved data

    @Test func resolvedWithExplainShowsProvenance() throws {
        let root = try store(#"{"style": {"lang": "en", "tone": "formal"}, "limit": 10}"#)
        let child = try store(#"{"style": {"tone": "casual"}, "limit": null, "x/y": [1]}"#, ["--parent", root])
        let grandchild = try store(#"{"style": {"size": {}}}"#, ["--parent", child])

        let explained = try object(["memory", "get", grandchild, "--resolved", "--explain"])
        #expect(explained["id"] as? String == grandchild)
        #expect(try same(explained["data"], #"{"style": {"lang": "en", "tone": "casual", "size": {}}, "x/y": [1]}"#))
        #expect(explained["unresolved_errors"] as? Int == 0)
        let provenance = try #require(explained["provenance"] as? [[String: String]])
        #expect(provenance.allSatisfy { Set($0.keys) == ["pointer", "context_id"] })
        let sources = Dictionary(provenance.map { ($0["pointer"] ?? "", $0["context_id"] ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(sources == ["/style/lang": root, "/style/tone": child, "/style/size": grandchild, "/x~1y": child])
        #expect(provenance.count == 4)

        let resolved = try object(["memory", "get", grandchild, "--resolved"])
        #expect(resolved["provenance"] == nil)
        #expect(try same(resolved["data"], #"{"style": {"lang": "en", "tone": "casual", "size": {}}, "x/y": [1]}"#))
        let plain = try object(["memory", "get", grandchild])
        #expect(plain["provenance"] == nil)
        #expect(try same(plain["data"], #"{"style": {"size": {}}}"#))

        let table = try cli.run(["memory", "get", grandchild, "--resolved", "--explain"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("/style/lang") && table.stdout.contains("from \(root)"), "\(table.stdout)")

        try expectFailure(["memory", "get", grandchild, "--explain"], 64, mentioning: "--resolved")
    }

    // MARK: - Update and history

    @Test func updatesWriteVersionsThatHistoryLists() throws {
        let id = try store(#"{"a": 1}"#)

        let replaced = try object(["memory", "update", id, "--data", #"{"b": 2}"#])
        #expect(Set(replaced.keys) == Self.contextKeys.union(["merged"]))
        #expect(replaced["version"] as? Int == 2)
        #expect(replaced["merged"] as? Bool == false)
        #expect(try same(replaced["data"], #"{"b": 2}"#))

        #expect(try same(try object(["memory", "update", id, "--merge-patch", #"{"c": 3}"#])["data"], #"{"b": 2, "c": 3}"#))
        #expect(try same(try object(["memory", "update", id, "--merge-patch", "-"], stdin: #"{"b": null}"#)["data"], #"{"c": 3}"#))
        let patchFile = try cli.write("patch.json", #"{"d": [1]}"#)
        #expect(try same(try object(["memory", "update", id, "--merge-patch-file", patchFile])["data"], #"{"c": 3, "d": [1]}"#))
        let dataFile = try cli.write("data.json", #"{"e": true}"#)
        #expect(try same(try object(["memory", "update", id, "--data-file", dataFile])["data"], #"{"e": true}"#))
        #expect(try same(try object(["memory", "update", id, "--data", "-"], stdin: #"{"f": "stdin"}"#)["data"], #"{"f": "stdin"}"#))
        let tagged = try object(["memory", "update", id, "--tag", "t1", "--tag", "t2", "--ttl", "1h"])
        #expect(tagged["tags"] as? [String] == ["t1", "t2"])
        #expect(tagged["expires_at"] is String)
        #expect(tagged["version"] as? Int == 8)

        let history = try page(["memory", "history", id])
        #expect(history.cursor == nil)
        #expect(history.items.map { $0["version"] as? Int } == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(history.items.allSatisfy { Self.contextKeys.union(["principal", "merged"]) == Set($0.keys) })
        #expect(history.items.allSatisfy { ($0["principal"] as? String)?.hasPrefix("local:") == true })
        #expect(history.items.allSatisfy { $0["merged"] as? Bool == false })
        let versions = history.items.map { $0["data"] }
        #expect(try same(versions[0], #"{"a": 1}"#))
        #expect(try same(versions[1], #"{"b": 2}"#))
        #expect(try same(versions[2], #"{"b": 2, "c": 3}"#))
        #expect(try same(versions[3], #"{"c": 3}"#))
        #expect(try same(versions[7], #"{"f": "stdin"}"#))
        #expect(history.items[6]["tags"] as? [String] == [])
        #expect(history.items[7]["tags"] as? [String] == ["t1", "t2"])

        try expectFailure(["memory", "update", id], 65, mentioning: "nothing to update")
        try expectFailure(["memory", "update", id, "--merge-patch", "{nope"], 65, mentioning: "--merge-patch")
        try expectFailure(["memory", "update", id, "--merge-patch", "[1]"], 65)
        try expectFailure(["memory", "update", id, "--data", "{}", "--merge-patch", "{}"], 64)
        try expectFailure(["memory", "update", id, "--data", "{}", "--on-conflict", "maybe"], 64)
        #expect(try page(["memory", "history", id]).items.count == 8, "failed updates write nothing")
    }

    @Test func conflictsExitFiveOrMerge() throws {
        let id = try store(#"{"a": 1, "b": 1}"#)
        _ = try object(["memory", "update", id, "--data", #"{"a": 2, "b": 1}"#])

        // A stale --if-version is rejected, naming the current version, and writes nothing.
        try expectFailure(["memory", "update", id, "--if-version", "1", "--data", #"{"a": 3}"#], 5, mentioning: "version 2")
        let asJSON = try cli.run(["memory", "update", id, "--if-version", "1", "--data", #"{"a": 3}"#, "-o", "json"])
        #expect(asJSON.status == 5)
        #expect((try json(asJSON.stderr)["error"] as? [String: Any])?["code"] as? String == "conflict")
        #expect(try object(["memory", "get", id])["version"] as? Int == 2)

        // Changes to different paths merge into a new version, and stderr says so.
        let result = try cli.run([
            "memory", "update", id, "--if-version", "1", "--on-conflict", "merge", "--merge-patch", #"{"b": 5}"#,
            "-o", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("merged"), "\(result.stderr)")
        let merged = try json(result.stdout)
        #expect(merged["merged"] as? Bool == true)
        #expect(merged["version"] as? Int == 3)
        #expect(try same(merged["data"], #"{"a": 2, "b": 5}"#))

        // The same path changed differently is a conflict listing the pointer and both values.
        try expectFailure(
            ["memory", "update", id, "--if-version", "1", "--on-conflict", "merge", "--merge-patch", #"{"a": 7}"#], 5,
            mentioning: "/a (current: 2, yours: 7)")
        let after = try object(["memory", "get", id])
        #expect(after["version"] as? Int == 3)
        #expect(try same(after["data"], #"{"a": 2, "b": 5}"#))
        #expect(try page(["memory", "history", id]).items.map { $0["merged"] as? Bool } == [false, false, true])
    }

    // MARK: - List and search

    @Test func listFiltersAndPages() throws {
        let empty = try cli.run(["memory", "list"])
        #expect(empty.status == 0)
        #expect(empty.stderr.contains("no contexts found"))

        let root = try store(agent: "a1", ["--type", "task", "--tag", "q3"])
        let c2 = try store(agent: "a2", ["--type", "task", "--tag", "q4", "--parent", root])
        let c3 = try store(agent: "a1", ["--type", "note", "--tag", "q4"])
        let c4 = try store(agent: "a2", ["--type", "note", "--parent", root])

        let all = try page(["memory", "list"])
        #expect(all.items.compactMap { $0["id"] as? String } == [c4, c3, c2, root])
        #expect(all.cursor == nil)
        #expect(all.items.allSatisfy { Set($0.keys) == Self.contextKeys })
        #expect(try ids(["memory", "list", "--agent", "a1"]) == [c3, root])
        #expect(try ids(["memory", "list", "--type", "note"]) == [c4, c3])
        #expect(try ids(["memory", "list", "--tag", "q4"]) == [c3, c2])
        #expect(try ids(["memory", "list", "--parent", root]) == [c4, c2])
        #expect(try ids(["memory", "list", "--agent", "a2", "--type", "task"]) == [c2])

        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let next = try page(["memory", "list", "--limit", "3"] + (cursor.map { ["--cursor", $0] } ?? []))
            #expect(next.items.count <= 3)
            seen += next.items.compactMap { $0["id"] as? String }
            cursor = next.cursor
            pages += 1
        } while cursor != nil && pages < 5
        #expect(pages == 2)
        #expect(seen == [c4, c3, c2, root])

        let table = try cli.run(["memory", "list", "--limit", "1"])
        #expect(table.stdout.hasPrefix("ID"))
        #expect(table.stderr.contains("more contexts: pass --cursor "))

        try expectFailure(["memory", "list", "--cursor", "garbage"], 65)
        try expectFailure(["memory", "list", "--limit", "0"], 65)
    }

    @Test func searchRanksFiltersAndPages() throws {
        let once = try store(#"{"note": "apple banana cherry plum"}"#, agent: "a1", ["--type", "fruit", "--tag", "q3"])
        let thrice = try store(#"{"note": "apple apple apple plum"}"#, agent: "a2", ["--type", "fruit"])
        let keyed = try store(#"{"apple": {"color": "red"}}"#, agent: "a1", ["--type", "tree", "--tag", "q3"])
        _ = try store(#"{"note": "nothing to see"}"#)

        let found = try page(["memory", "search", "apple"])
        #expect(found.cursor == nil)
        #expect(Set(found.items.compactMap { $0["id"] as? String }) == [once, thrice, keyed])
        #expect(found.items.allSatisfy { Set($0.keys) == Self.contextKeys.union(["score", "snippet"]) })
        let scores = found.items.compactMap { $0["score"] as? Double }
        #expect(scores.count == 3)
        #expect(scores == scores.sorted(by: >), "best first")
        let order = found.items.compactMap { $0["id"] as? String }
        #expect(order.firstIndex(of: thrice)! < order.firstIndex(of: once)!, "more mentions rank higher")
        #expect(found.items.allSatisfy { ($0["snippet"] as? String)?.contains("[apple]") == true })

        #expect(Set(try ids(["memory", "search", "apple", "--agent", "a1"])) == [once, keyed])
        #expect(try ids(["memory", "search", "apple", "--type", "fruit", "--tag", "q3"]) == [once])
        #expect(try ids(["memory", "search", "apple plum", "--agent", "a2"]) == [thrice])
        #expect(try ids(["memory", "search", "\"apple plum\""]) == [thrice])
        #expect(try ids(["memory", "search", "ban*"]) == [once])
        #expect(try ids(["memory", "search", "fruit q3"]) == [once], "type and tags are searched")
        #expect(Set(try ids(["memory", "search", "apple", "--since", "1h"])) == [once, thrice, keyed])
        #expect(try ids(["memory", "search", "apple", "--since", "2999-01-01T00:00:00Z"]).isEmpty)

        let first = try page(["memory", "search", "apple", "--limit", "2"])
        let cursor = try #require(first.cursor)
        let second = try page(["memory", "search", "apple", "--limit", "2", "--cursor", cursor])
        #expect(second.cursor == nil)
        #expect((first.items + second.items).compactMap { $0["id"] as? String } == order)

        let table = try cli.run(["memory", "search", "cherry"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("[cherry]"), "\(table.stdout)")
    }

    @Test func searchQueriesNeverBreakStorage() throws {
        let id = try store(#"{"note": "a state-of-the-art design, near a b or c"}"#)
        #expect(try ids(["memory", "search", "state-of-the-art"]) == [id])
        #expect(try ids(["memory", "search", "NEAR(a b)"]) == [id])
        #expect(try ids(["memory", "search", "a OR"]) == [id])

        for query in ["'; DROP TABLE x; --", "NEAR(a b)", "a OR", "\"\"", "**", "(", "body:design", "{a b}", "^design", "%"] {
            let result = try cli.run(["memory", "search", "-o", "json", "--", query])
            #expect(result.status == 0 || result.status == 65, "\(query): \(result.status) \(result.stderr)")
        }
        for query in ["\"unterminated", "*", "", "\""] {
            try expectFailure(["memory", "search", "--", query], 65)
        }
        #expect(try ids(["memory", "list"]) == [id], "the table is intact")
    }

    // MARK: - Trees, sharing, delete

    @Test func parentsAndChildrenAreListings() throws {
        let root = try store(#"{"l": 0}"#)
        let child = try store(#"{"l": 1}"#, ["--parent", root])
        let grandchild = try store(#"{"l": 2}"#, ["--parent", child])
        let sibling = try store(#"{"l": 1}"#, ["--parent", root])

        let parents = try page(["memory", "parents", grandchild])
        #expect(parents.items.compactMap { $0["id"] as? String } == [child, root])
        #expect(parents.cursor == nil)
        #expect(try ids(["memory", "parents", root]).isEmpty)

        #expect(try ids(["memory", "children", root]) == [child, sibling])
        #expect(try ids(["memory", "children", root, "--recursive"]) == [child, sibling, grandchild])
        #expect(try page(["memory", "children", root, "--recursive"]).items.allSatisfy { Set($0.keys) == Self.contextKeys })
        let none = try cli.run(["memory", "children", grandchild])
        #expect(none.status == 0)
        #expect(none.stderr.contains("no children found"))
    }

    @Test func shareAndUnshare() throws {
        let id = try store(agent: "planner-7")
        let shared = try object(["memory", "share", id, "--with", "critic-2"])
        #expect(try same(shared["shared_with"], #"[{"agent_id": "critic-2", "access": "read"}]"#))
        let upgraded = try object(["memory", "share", id, "--with", "critic-2", "--access", "write"])
        #expect(try same(upgraded["shared_with"], #"[{"agent_id": "critic-2", "access": "write"}]"#))
        #expect(try same(try object(["memory", "get", id])["shared_with"], #"[{"agent_id": "critic-2", "access": "write"}]"#))
        let unshared = try object(["memory", "unshare", id, "--with", "critic-2"])
        #expect(try same(unshared["shared_with"], "[]"))

        try expectFailure(["memory", "unshare", id, "--with", "critic-2"], 3)
        try expectFailure(["memory", "share", id, "--with", "planner-7"], 65)
        try expectFailure(["memory", "share", id, "--with", "critic-2", "--access", "admin"], 64)
    }

    @Test func deleteNeedsRecursiveForChildren() throws {
        let root = try store(#"{"note": "doomed"}"#)
        let child = try store(#"{"note": "doomed"}"#, ["--parent", root])
        _ = try store(#"{"note": "doomed"}"#, ["--parent", child])
        let other = try store(#"{"note": "doomed"}"#)

        try expectFailure(["memory", "delete", root], 5, mentioning: "--recursive")
        #expect(try ids(["memory", "list"]).count == 4)

        let deleted = try object(["memory", "delete", root, "--recursive"])
        #expect(deleted as NSDictionary == ["deleted": 3] as NSDictionary)
        try expectFailure(["memory", "get", child], 3)
        #expect(try ids(["memory", "search", "doomed"]) == [other])

        let table = try cli.run(["memory", "delete", other])
        #expect(table.status == 0)
        #expect(table.stdout == "deleted 1 context\n")
    }

    // MARK: - Expiry

    @Test func expiredContextsVanishAndPurgeCountsThem() throws {
        let parent = try store(#"{"note": "fleeting"}"#)
        let child = try store(#"{"note": "fleeting"}"#, ["--parent", parent])
        let keeper = try store(#"{"note": "fleeting"}"#, ["--ttl", "1h"])
        // The ttl is set last, so a slow machine cannot expire the parent before its child is stored.
        let updated = try object(["memory", "update", parent, "--ttl", "1s"])
        #expect(updated["expires_at"] is String)
        Thread.sleep(forTimeInterval: 1.2)

        try expectFailure(["memory", "get", parent], 3)
        try expectFailure(["memory", "get", child, "--resolved"], 3)
        #expect(try ids(["memory", "list"]) == [keeper])
        #expect(try ids(["memory", "search", "fleeting"]) == [keeper])

        let purged = try object(["memory", "purge"])
        #expect(purged as NSDictionary == ["purged": 2] as NSDictionary)
        let again = try cli.run(["memory", "purge"])
        #expect(again.stdout == "purged 0 expired contexts\n")
        #expect(try ids(["memory", "list"]) == [keeper])
    }

    @Test func aTTLBeyondACenturyIsRefused() throws {
        let result = try cli.run(["memory", "store", "--agent", "a", "--ttl", "3000000d", "-o", "json"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(try cli.run(["memory", "store", "--agent", "a", "--ttl", "36500d"]).status == 0)
    }

    // MARK: - Error logs

    @Test func errorLogsAreLoggedListedAndResolved() throws {
        let context = try store(#"{"task": "crawl"}"#)
        let trace = try cli.write("trace.txt", "at crawl()\nat main()")

        let logged = try object([
            "errors", "log", "--type", "TimeoutError", "--message", "took too long", "--context", context,
            "--stack-trace", "@" + trace,
        ])
        #expect(Set(logged.keys) == Self.errorKeys)
        #expect(logged["context_id"] as? String == context)
        #expect(logged["fix_applied"] as? Bool == false)
        #expect(logged["stack_trace"] as? String == "at crawl()\nat main()")
        #expect(logged["resolved_at"] is NSNull)
        #expect((logged["principal"] as? String)?.hasPrefix("local:") == true)
        let timeout = try #require(logged["id"] as? String)
        let parse = try #require(try object(["errors", "log", "--type", "ParseError", "--message", "bad", "--context", context])["id"] as? String)
        let loose = try object(["errors", "log", "--type", "TimeoutError", "--message", "no context"])
        #expect(loose["context_id"] is NSNull)
        let looseID = try #require(loose["id"] as? String)

        #expect(try object(["memory", "get", context])["unresolved_errors"] as? Int == 2)

        let all = try page(["errors", "list"])
        #expect(all.items.compactMap { $0["id"] as? String } == [looseID, parse, timeout])
        #expect(all.items.allSatisfy { Set($0.keys) == Self.errorKeys })
        #expect(try ids(["errors", "list", "--context", context]) == [parse, timeout])
        #expect(try ids(["errors", "list", "--type", "TimeoutError"]) == [looseID, timeout])
        #expect(try ids(["errors", "list", "--since", "1h"]).count == 3)
        #expect(try ids(["errors", "list", "--since", "2999-01-01T00:00:00Z"]).isEmpty)

        let resolved = try object(["errors", "resolve", timeout, "--note", "raised the timeout"])
        #expect(resolved["fix_applied"] as? Bool == true)
        #expect(resolved["resolution_note"] as? String == "raised the timeout")
        #expect(resolved["resolved_at"] is String)
        #expect(try object(["memory", "get", context])["unresolved_errors"] as? Int == 1)
        #expect(try ids(["errors", "list", "--unresolved"]) == [looseID, parse])
        try expectFailure(["errors", "resolve", timeout], 5, mentioning: "already resolved")

        // Deleting the context keeps its errors, detached.
        _ = try object(["memory", "delete", context])
        let kept = try page(["errors", "list"]).items
        #expect(kept.count == 3)
        #expect(kept.allSatisfy { $0["context_id"] is NSNull })

        try expectFailure(["errors", "log", "--type", "", "--message", "m"], 65)
        try expectFailure(["errors", "log", "--type", "E", "--message", ""], 65)
        try expectFailure(["errors", "log", "--message", "m"], 64)
    }
}
