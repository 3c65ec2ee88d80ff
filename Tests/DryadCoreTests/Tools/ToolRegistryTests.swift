import DryadTestSupport
import Foundation
import GRDB
import Testing

@testable import DryadCore

@Suite struct ToolRegistryTests {
    let folder: TemporaryFolder
    let database: DryadDatabase
    var tools: ToolRegistry { database.tools }

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    // MARK: - Register

    /// A page of tools stops at 4 MiB of schemas, executor and metadata (a version may hold
    /// 2 MiB of schemas), and the cursor goes on from there, for both forms of the listing.
    @Test func toolPagesStopAtTheByteCap() async throws {
        var definitions: [ToolDefinition] = []
        for i in 0..<6 {
            var tool = definition("big\(i)")
            tool.inputSchema = .object(["type": .string("object"), "description": .string(String(repeating: "d", count: 900_000))])
            definitions.append(tool)
        }
        _ = try await tools.register(definitions, as: testOperator)
        for encoded in [false, true] {
            var counts: [Int] = []
            var cursor: String?
            repeat {
                let request = PageRequest(cursor: cursor)
                if encoded {
                    let page = try await tools.listEncoded(ToolQuery(), page: request, as: testOperator)
                    (cursor, counts) = (page.nextCursor, counts + [page.items.count])
                } else {
                    let page = try await tools.list(ToolQuery(), page: request, as: testOperator)
                    (cursor, counts) = (page.nextCursor, counts + [page.items.count])
                }
            } while cursor != nil && counts.count < 10
            #expect(counts == [4, 2], "encoded: \(encoded)")
        }
    }

    @Test func registersAToolWithDefaults() async throws {
        let tool = try #require(try await tools.register([definition("web_search", tags: ["search"])], as: testOperator).first)
        #expect(tool.name == "web_search")
        #expect(tool.version == "1.0.0")
        #expect(tool.inputSchema == ToolDefinition.defaultInputSchema)
        #expect(tool.status == .active)
        #expect(tool.revision == 1)
        #expect(tool.id.count == 36)
        #expect(Timestamp.parse(tool.createdAt) != nil)
        #expect(try await tools.get(.nameOrID("web_search"), as: testOperator) == tool)
        #expect(try await tools.get(.nameOrID(tool.id), as: testOperator) == tool)
    }

    @Test func aNewVersionSharesTheIdAndBecomesLatest() async throws {
        let first = try await tools.register([definition("t", version: "1.2.0")], as: testOperator)[0]
        let second = try await tools.register([definition("t", version: "1.10.0")], as: testOperator)[0]
        _ = try await tools.register([definition("t", version: "2.0.0-rc.1")], as: testOperator)
        #expect(first.id == second.id)
        #expect(try await tools.get(try ToolReference("t"), as: testOperator).version == "2.0.0-rc.1")
        #expect(try await tools.get(try ToolReference("t@1.2.0"), as: testOperator).version == "1.2.0")
    }

    @Test func registeringAnExistingVersionIsAConflict() async throws {
        _ = try await tools.register([definition("t", version: "1.0.0+a")], as: testOperator)
        await #expect(throws: DryadError.conflict("tool t@1.0.0+b has the same precedence as existing version 1.0.0+a")) {
            _ = try await tools.register([definition("t", version: "1.0.0+b")], as: testOperator)
        }
        await #expect(throws: DryadError.conflict("tool t@1.0.0+a already exists")) {
            _ = try await tools.register([definition("t", version: "1.0.0+a")], as: testOperator)
        }
    }

    @Test func aBatchIsAllOrNothing() async throws {
        #expect(await errorCode { _ = try await tools.register([definition("a"), definition("b"), definition("a")], as: testOperator) } == "conflict")
        let page = try await tools.list(ToolQuery(), as: testOperator)
        #expect(page.items.isEmpty)
        #expect(try await database.status(as: testOperator).counts["tools"] == 0)
    }

    @Test func refusesBadDefinitions() async throws {
        let cases: [(JSONValue, String)] = [
            (.object(["name": .string("bad name"), "description": .string("d")]), "name:"),
            (.object(["name": .string(String(repeating: "a", count: 65)), "description": .string("d")]), "name:"),
            (.object(["name": .string("t"), "description": .string("d"), "version": .string("1.0")]), "version:"),
            (.object(["name": .string("t"), "description": .string("  ")]), "description: must not be empty"),
            (.object(["name": .string("t")]), "description: required"),
            (.object(["name": .string("t"), "description": .string("d"), "input_schema": .array([])]), "input_schema:"),
            (.object(["name": .string("t"), "description": .string("d"), "colour": .string("red")]), "colour: unknown field"),
            (.object(["name": .string("t"), "description": .string("d"), "tags": .array([.string("no spaces")])]), "tags:"),
            (.object(["name": .string("t"), "description": .string("d"), "status": .string("gone")]), "status:"),
            (
                .object([
                    "name": .string("t"), "description": .string("d"),
                    "executor": .object(["kind": .string("shell"), "argv": .array([.string("sh")])]),
                ]), "executor.kind:"
            ),
            (
                .object([
                    "name": .string("t"), "description": .string("d"),
                    "executor": .object(["kind": .string("command"), "argv": .array([])]),
                ]), "executor.argv:"
            ),
            (
                .object([
                    "name": .string("t"), "description": .string("d"),
                    "executor": .object(["kind": .string("command"), "argv": .array([.string("/bin/x")]), "cwd": .string("rel")]),
                ]), "executor.cwd:"
            ),
            (
                .object([
                    "name": .string("t"), "description": .string("d"),
                    "executor": .object(["kind": .string("command"), "argv": .array([.string("/bin/x")]), "timeout_seconds": .integer(0)]),
                ]), "executor.timeout_seconds:"
            ),
            (
                .object([
                    "name": .string("t"), "description": .string("d"),
                    "executor": .object(["kind": .string("http"), "url": .string("ftp://x/")]),
                ]), "executor.url:"
            ),
            (
                .object([
                    "name": .string("t"), "description": .string("d"),
                    "executor": .object([
                        "kind": .string("http"), "url": .string("https://x.test/"),
                        "headers": .object(["X-A": .string("v\r\nInjected: 1")]),
                    ]),
                ]), "executor.headers.X-A:"
            ),
            (
                .object([
                    "name": .string("t"), "description": .string("d"),
                    "executor": .object(["kind": .string("http"), "url": .string("https://x.test/"), "headers": .object(["X-A": .string("a\u{1}b")])]),
                ]), "executor.headers.X-A: not a valid HTTP header"
            ),
            (
                .object(["name": .string("t"), "description": .string("d"), "tags": .array([.string("a"), .string("b"), .string("a")])]),
                #"tags: "a" is given twice"#
            ),
            (
                .object([
                    "name": .string("t"), "description": .string("d"),
                    "executor": .object([
                        "kind": .string("http"), "url": .string("https://x.test/"), "headers": .object(["X-A": .string("Bearer ${DRYAD_TOKEN}")]),
                    ]),
                ]), "executor.headers.X-A: may not name DRYAD_TOKEN"
            ),
            (
                .object([
                    "name": .string("t"), "description": .string("d"),
                    "executor": .object(["kind": .string("command"), "argv": .array([.string("/bin/cat")]), "env": .object(["T": .string("${DRYAD_X}")])]),
                ]), "executor.env.T: may not name DRYAD_X"
            ),
        ]
        for (json, expected) in cases {
            do {
                _ = try ToolDefinition(json: json)
                Issue.record("accepted \(json.canonicalText)")
            } catch {
                #expect(error.code == "invalid_input")
                #expect(error.message.contains(expected), "\(error.message) should mention \(expected)")
            }
        }
    }

    @Test func acceptsItsOwnJSONOutputAsADefinition() async throws {
        var definition = definition("round", tags: ["x"])
        definition.executor = .command(CommandEndpoint(argv: ["/bin/echo", "hi"], env: ["A": "1"], cwd: "/tmp"))
        definition.metadata = ["owner": .string("team-a")]
        let tool = try await tools.register([definition], as: testOperator)[0]
        let encoded = try JSONEncoder().encode(tool)
        var again = try ToolDefinition(json: try JSONValue.parse(encoded))
        #expect(again == definition)
        again.version = "1.1.0"
        _ = try await tools.register([again], as: testOperator)
    }

    // MARK: - Latest

    @Test func latestSkipsDisabledVersionsUntilAllAreDisabled() async throws {
        _ = try await tools.register([definition("t", version: "1.0.0"), definition("t", version: "2.0.0")], as: testOperator)
        _ = try await tools.update(try ToolReference("t@2.0.0"), ToolChanges(status: .disabled), as: testOperator)
        #expect(try await tools.get(.nameOrID("t"), as: testOperator).version == "1.0.0")
        _ = try await tools.update(try ToolReference("t@1.0.0"), ToolChanges(status: .disabled), as: testOperator)
        let latest = try await tools.get(.nameOrID("t"), as: testOperator)
        #expect(latest.version == "2.0.0")
        #expect(latest.status == .disabled)
    }

    // MARK: - List

    @Test func listsLatestVersionsSortedByNameAcrossPages() async throws {
        let names = (0..<25).map { String(format: "tool_%02d", $0) }.shuffled()
        _ = try await tools.register(names.map { definition($0) }, as: testOperator)
        _ = try await tools.register([definition("tool_03", version: "1.1.0")], as: testOperator)
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await tools.list(ToolQuery(), page: PageRequest(limit: 10, cursor: cursor), as: testOperator)
            seen += page.items.map(\.reference)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen.count == 25)
        #expect(seen == seen.sorted())
        #expect(seen.contains("tool_03@1.1.0"))
        #expect(!seen.contains("tool_03@1.0.0"))
    }

    @Test func listsAllVersionsNewestFirstAcrossPages() async throws {
        _ = try await tools.register(["1.0.0", "1.10.0", "1.2.0"].map { definition("a", version: $0) } + [definition("b")], as: testOperator)
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await tools.list(ToolQuery(allVersions: true), page: PageRequest(limit: 1, cursor: cursor), as: testOperator)
            seen += page.items.map(\.reference)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == ["a@1.10.0", "a@1.2.0", "a@1.0.0", "b@1.0.0"])
    }

    @Test func filtersByTextTagsAndStatus() async throws {
        _ = try await tools.register(
            [
                definition("web_search", description: "Search the web", tags: ["search", "web"]),
                definition("calc", description: "Arithmetic 100% exact", tags: ["math"]),
                definition("old", description: "Legacy", tags: ["web"], status: .deprecated),
            ], as: testOperator)
        func names(_ query: ToolQuery) async throws -> [String] {
            try await tools.list(query, as: testOperator).items.map(\.name)
        }
        #expect(try await names(ToolQuery(text: "SEARCH")) == ["web_search"])
        #expect(try await names(ToolQuery(text: "math")) == ["calc"])
        #expect(try await names(ToolQuery(text: "100%")) == ["calc"])
        #expect(try await names(ToolQuery(text: "_")) == ["web_search"])  // a literal underscore, not a wildcard
        #expect(try await names(ToolQuery(tags: ["web"])) == ["old", "web_search"])
        #expect(try await names(ToolQuery(tags: ["web", "search"])) == ["web_search"])
        #expect(try await names(ToolQuery(status: .deprecated)) == ["old"])
    }

    /// The server's pages copy stored JSON instead of decoding tools; they must say what the decoded tools say.
    @Test func encodedPagesMatchDecodedPages() async throws {
        var command = definition("cmd", description: "quote \" backslash \\ tab\t nul-free é ☃ \u{1}")
        command.executor = .command(CommandEndpoint(argv: ["/bin/echo", "a b"], timeoutSeconds: 2.5, env: ["A": "1"], cwd: "/tmp"))
        command.inputSchema = .object([
            "type": .string("object"), "required": .array([.string("q")]),
            "properties": .object(["q": .object(["type": .string("string"), "maxLength": .integer(9)])]),
        ])
        command.outputSchema = .object(["type": .string("array")])
        command.metadata = ["owner": .string("ops"), "limits": .object(["rate": .number(0.5), "burst": .integer(3)])]
        command.tags = ["b", "a/c"]
        var remote = definition("remote", version: "2.0.0-rc.1+build.5", tags: ["x"], status: .deprecated)
        remote.executor = .http(HTTPEndpoint(url: "https://x.test/run", headers: ["X-Key": "k"]))
        _ = try await tools.register([command, remote, definition("plain"), definition("remote", version: "1.0.0")], as: testOperator)
        _ = try await tools.update(try ToolReference("plain"), ToolChanges(description: "changed", tags: ["new"]), as: testOperator)
        for query in [ToolQuery(), ToolQuery(allVersions: true), ToolQuery(text: "remote", allVersions: true)] {
            var cursor: String?
            var pages = 0
            repeat {
                let request = PageRequest(limit: 2, cursor: cursor)
                let decoded = try await tools.list(query, page: request, as: testOperator)
                let encoded = try await tools.listEncoded(query, page: request, as: testOperator)
                #expect(encoded.nextCursor == decoded.nextCursor)
                #expect(
                    try encoded.items.map { try JSONValue.parse(String(decoding: $0.bytes, as: UTF8.self)) }
                        == decoded.items.map { try JSONValue.parse(String(decoding: JSONStreamEncoder.encode($0), as: UTF8.self)) })
                #expect(!encoded.items.isEmpty)
                cursor = decoded.nextCursor
                pages += 1
            } while cursor != nil
            #expect(pages >= 1)
        }
        // The JSONEncoder fallback prints the same value.
        let page = try await tools.listEncoded(ToolQuery(), as: testOperator)
        #expect(
            try JSONValue.parse(String(decoding: JSONEncoder().encode(page), as: UTF8.self))
                == JSONValue.parse(String(decoding: JSONStreamEncoder.encode(page), as: UTF8.self)))
    }

    @Test func refusesBadPaging() async throws {
        await #expect(throws: DryadError.invalidInput("limit: must be between 1 and 1000")) {
            _ = try await tools.list(ToolQuery(), page: PageRequest(limit: 0), as: testOperator)
        }
        await #expect(throws: DryadError.invalidInput("cursor: not a cursor returned by this listing")) {
            _ = try await tools.list(ToolQuery(), page: PageRequest(cursor: "garbage!"), as: testOperator)
        }
    }

    // MARK: - Update

    @Test func updateBumpsRevisionAndHonoursIfRevision() async throws {
        _ = try await tools.register([definition("t", tags: ["a"])], as: testOperator)
        let updated = try await tools.update(.nameOrID("t"), ToolChanges(description: "new", tags: ["b"]), ifRevision: 1, as: testOperator)
        #expect(updated.revision == 2)
        #expect(updated.description == "new")
        #expect(updated.tags == ["b"])
        await #expect(throws: DryadError.stale("tool t@1.0.0 is at revision 2, not 1")) {
            _ = try await tools.update(.nameOrID("t"), ToolChanges(description: "stale"), ifRevision: 1, as: testOperator)
        }
        #expect(try await tools.get(.nameOrID("t"), as: testOperator).description == "new")
    }

    @Test func updateChangesTheExecutor() async throws {
        _ = try await tools.register([definition("t")], as: testOperator)
        await #expect(throws: DryadError.conflict("tool t@1.0.0 has no executor to set a timeout on")) {
            _ = try await tools.update(.nameOrID("t"), ToolChanges(executor: .timeout(5)), as: testOperator)
        }
        let command = ToolEndpoint.command(CommandEndpoint(argv: ["/bin/true"]))
        _ = try await tools.update(.nameOrID("t"), ToolChanges(executor: .replace(command)), as: testOperator)
        let timed = try await tools.update(.nameOrID("t"), ToolChanges(executor: .timeout(5)), as: testOperator)
        #expect(timed.executor == .command(CommandEndpoint(argv: ["/bin/true"], timeoutSeconds: 5)))
        let removed = try await tools.update(.nameOrID("t"), ToolChanges(executor: .remove), as: testOperator)
        #expect(removed.executor == nil)
        #expect(removed.revision == 4)
    }

    @Test func updateRefusesNothingAndBadValues() async throws {
        _ = try await tools.register([definition("t")], as: testOperator)
        #expect(await errorCode { _ = try await tools.update(.nameOrID("t"), ToolChanges(), as: testOperator) } == "invalid_input")
        #expect(await errorCode { _ = try await tools.update(.nameOrID("t"), ToolChanges(tags: ["bad tag"]), as: testOperator) } == "invalid_input")
        await #expect(throws: DryadError.notFound("tool nope not found")) {
            _ = try await tools.update(.nameOrID("nope"), ToolChanges(description: "x"), as: testOperator)
        }
        #expect(try await tools.get(.nameOrID("t"), as: testOperator).revision == 1)
    }

    // MARK: - Delete

    @Test func deletesVersionsAndTools() async throws {
        _ = try await tools.register(["1.0.0", "2.0.0"].map { definition("t", version: $0) }, as: testOperator)
        await #expect(throws: DryadError.advised(.conflict("tool t has 2 versions"), Advice(.text("name one as t@VERSION or pass "), .option("all_versions"))))
        {
            _ = try await tools.delete(.nameOrID("t"), as: testOperator)
        }
        let deleted = try await tools.delete(try ToolReference("t@2.0.0"), as: testOperator)
        #expect(deleted.map(\.reference) == ["t@2.0.0"])
        #expect(try await tools.get(.nameOrID("t"), as: testOperator).version == "1.0.0")
        _ = try await tools.delete(.nameOrID("t"), as: testOperator)
        await #expect(throws: DryadError.notFound("tool t not found")) { _ = try await tools.get(.nameOrID("t"), as: testOperator) }
        #expect(try await database.status(as: testOperator).counts["tools"] == 0)

        _ = try await tools.register(["1.0.0", "2.0.0"].map { definition("u", version: $0) }, as: testOperator)
        let all = try await tools.delete(.nameOrID("u"), allVersions: true, as: testOperator)
        #expect(all.map(\.reference) == ["u@2.0.0", "u@1.0.0"])
        #expect(try await database.status(as: testOperator).counts["tool_versions"] == 0)
    }

    @Test func parsesReferences() throws {
        #expect(try ToolReference("web") == .nameOrID("web"))
        #expect(try ToolReference("web@1.2.0") == .version(name: "web", version: try #require(SemanticVersion("1.2.0"))))
        for bad in ["", "a b", "web@", "web@1", "@1.0.0", "../etc/passwd", "web@1.0.0@2"] {
            #expect(errorCode { _ = try ToolReference(bad) } == "invalid_input", "\(bad)")
        }
    }
}
