import DryadTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@testable import DryadCore

/// Collects exported lines in memory.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
    var text: String { all.joined(separator: "\n") + "\n" }

    /// A line source over `lines`, as `import` reads them.
    static func source(_ lines: [String]) -> @Sendable () throws -> String? {
        let remaining = Mutex(lines[...])
        return { remaining.withLock { $0.popFirst() } }
    }
}

@Suite struct BundleTransferTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    func open(_ name: String) throws -> DryadDatabase { try DryadDatabase(path: "\(folder.path)/\(name).db") }

    func export(_ database: DryadDatabase, _ sections: Set<BundleSection> = Set(BundleSection.allCases)) async throws -> [String] {
        let collector = LineCollector()
        _ = try await database.bundles.export(sections, to: { collector.append($0) }, as: testOperator)
        return collector.all
    }

    /// A database with something in every section: tools, grants, a memory tree with shares and
    /// versions, an error log, executions in a session, and the audit trail all of that wrote.
    func populated() async throws -> DryadDatabase {
        let database = try open("source")
        let echo = try ToolDefinition(
            json: try JSONValue.parse(#"{"name":"echo","description":"Echo","tags":["demo"],"executor":{"kind":"command","argv":["/bin/cat"]}}"#))
        _ = try await database.tools.register([echo, definition("echo", version: "1.1.0")], as: testOperator)
        _ = try await database.principals.add("alice", type: .user, role: .member, as: testOperator)
        _ = try await database.principals.add("planner", type: .agent, role: .member, as: testOperator)
        _ = try await database.principals.setLimit("alice", rate: 2.5, burst: 4, as: testOperator)
        _ = try await database.permissions.grant("echo", to: .principal("alice"), level: .execute, as: testOperator)
        _ = try await database.permissions.grant("echo", to: .type(.agent), level: .read, as: testOperator)
        let root = try await database.memory.store(
            MemoryDraft(agentID: "planner", contextType: "plan", data: .object(["goal": .string("ship the bundle")]), tags: ["q4"], key: "root"),
            as: testOperator)
        let child = try await database.memory.store(
            MemoryDraft(
                agentID: "planner", data: .object(["step": .integer(1), "ratio": .number(0.25)]),
                parentID: root.id, ttl: 86_400), as: testOperator)
        _ = try await database.memory.update(child.id, MemoryChange(content: .mergePatch(.object(["step": .integer(2)]))), as: testOperator)
        _ = try await database.memory.share(root.id, with: "critic", access: .read, as: testOperator)
        _ = try await database.errors.log(type: "Timeout", message: "slow", contextID: child.id, as: testOperator)
        let session = try await database.sessions.start(label: "run", as: testOperator)
        let executor = database.executor(environment: [:])
        let outcome = try await executor.execute(
            .version(name: "echo", version: try #require(SemanticVersion("1.0.0"))), input: .object([:]),
            sessionID: session.id, as: testOperator)
        #expect(outcome.failure == nil)
        // A run in a context whose output became a version: the links travel with the rows.
        let inContext = try await executor.execute(
            .version(name: "echo", version: try #require(SemanticVersion("1.0.0"))), input: .object(["said": .string("hi")]),
            in: RunInContext(contextID: child.id, storeOutput: "/echoed"), as: testOperator)
        #expect(inContext.record.storedOutput?.stored == true)
        return database
    }

    @Test func exportImportExportIsByteIdentical() async throws {
        let source = try await populated()
        let first = try await export(source)
        #expect(first.first?.hasPrefix(#"{"dryad_bundle":1,"#) == true)
        #expect(first.last == #"{"end":{"rows":\#(first.count - 2)}}"#)
        let tables = Set(first.dropFirst().dropLast().compactMap { (try? JSONValue.parse($0))?.objectValue?["table"]?.stringValue })
        #expect(
            tables.isSuperset(of: [
                "tool_registry", "tool_version", "principal", "tool_permission", "memory_context", "memory_version",
                "memory_share", "memory_share_event", "error_log", "tool_session", "tool_execution", "audit_log",
            ]))

        let copy = try open("copy")
        let summary = try await copy.bundles.import(from: LineCollector.source(first), as: testOperator)
        #expect(summary.total == first.count - 2)
        let second = try await export(copy)
        #expect(second == first)

        // The copy works: the trail verifies, search finds imported text, inheritance resolves.
        #expect(try await copy.audit.verify(as: testOperator).ok)
        let found = try await copy.memory.search("bundle", MemoryQuery(), as: testOperator)
        #expect(found.items.map(\.key) == ["root"])
        let child = try await copy.memory.list(MemoryQuery(agentID: "planner", contextType: "general"), as: testOperator).items[0]
        let resolved = try await copy.memory.resolved(child.id, explain: false, as: testOperator)
        #expect(resolved.data.objectValue?["goal"] == .string("ship the bundle"))
        #expect(try await copy.principals.show("alice", as: testOperator).rate == 2.5)
        // Runs keep their context, versions their run, and the trace tells the same story.
        let story = try await copy.memory.trace(child.id, as: testOperator).items
        let run = try #require(story.first { $0.kind == .run })
        #expect(run.detail["stored_version"] == .integer(3))
        #expect(story.last { $0.kind == .version }?.detail["execution_id"] == run.detail["execution_id"])
        #expect(try await copy.executions.list(ExecutionQuery(contextID: child.id), as: testOperator).items.count == 1)
        #expect(try await copy.memory.trace(child.id, as: testOperator).items == (try await source.memory.trace(child.id, as: testOperator).items))
        #expect(try await copy.memory.trace(try #require(child.parentID), as: testOperator).items.contains { $0.kind == .share })
    }

    @Test func withoutTheAuditTrailTheImportStartsANewOne() async throws {
        let source = try await populated()
        let sections: Set<BundleSection> = [.tools, .principals, .permissions, .memory]
        let first = try await export(source, sections)
        #expect(!first.contains { $0.contains(#""table":"audit_log""#) })
        let copy = try open("copy")
        _ = try await copy.bundles.import(from: LineCollector.source(first), as: testOperator)
        let trail = try await copy.audit.list(AuditQuery(), as: testOperator).items
        #expect(trail.first?.action == "import")
        #expect(try await export(copy, sections) == first)
    }

    @Test func sectionsMustCarryWhatTheirRowsPointAt() async throws {
        let database = try open("d")
        await #expect(throws: DryadError.invalidInput("include: permissions needs principals too (its rows point at them)")) {
            _ = try await export(database, [.tools, .permissions])
        }
        await #expect(throws: DryadError.invalidInput("include: errors needs memory too (its rows point at them)")) {
            _ = try await export(database, [.errors])
        }
    }

    @Test func importRefusesANonEmptyDatabase() async throws {
        let source = try await populated()
        let lines = try await export(source)
        await #expect(
            throws: DryadError.advised(
                .conflict("import needs an empty database, and tool_registry has rows"), Advice(.text("import into a new "), .option("db"), .text(" file")))
        ) {
            _ = try await source.bundles.import(from: LineCollector.source(lines), as: testOperator)
        }
    }

    /// Damaged bundles fail with a line number and leave the new database empty.
    @Test func damagedBundlesAreRefusedWholly() async throws {
        let lines = try await export(try await populated())
        var tampered = lines
        let auditIndex = try #require(tampered.firstIndex { $0.contains(#""table":"audit_log""#) })
        tampered[auditIndex] = tampered[auditIndex].replacingOccurrences(of: "local:tester", with: "local:mallory")
        var badColumn = lines
        badColumn[1] = #"{"row":{"name":"x","evil":"1"},"table":"tool_registry"}"#
        var foreignTable = lines
        foreignTable[1] = #"{"row":{"kid":"k","secret":"s"},"table":"signing_key"}"#
        var newer = lines
        newer[0] = newer[0].replacingOccurrences(of: #""schema_version":\#(DryadDatabase.schemaVersion)"#, with: #""schema_version":99"#)
        let cases: [([String], DryadError)] = [
            (Array(lines.dropLast()), .invalidInput("bundle: no end line; the file is truncated")),
            (
                Array(lines.dropLast(2)) + [lines.last ?? ""],
                .invalidInput("bundle line \(lines.count - 1): the end line counts \(lines.count - 2) rows, the bundle holds \(lines.count - 3)")
            ),
            (
                tampered,
                .invalidInput(
                    "bundle: the audit trail does not verify: entry \(auditIndex - (lines.firstIndex { $0.contains(#""table":"audit_log""#) } ?? 0) + 1) was changed after it was written"
                )
            ),
            (badColumn, .invalidInput("bundle line 2: tool_registry has no column evil")),
            (foreignTable, .invalidInput("bundle line 2: table signing_key is not in the bundle's sections")),
            (newer, .schemaTooNew(found: 99, supported: DryadDatabase.schemaVersion)),
            (["{}"], .invalidInput("bundle line 1: not a dryad bundle (no header)")),
            ([lines[0], "not json"], .invalidInput("bundle line 2: invalid JSON")),
        ]
        for (index, (bundle, expected)) in cases.enumerated() {
            let copy = try open("copy\(index)")
            let error = await #expect(throws: DryadError.self) {
                _ = try await copy.bundles.import(from: LineCollector.source(bundle), as: testOperator)
            }
            if case .invalidInput(let message)? = error, case .invalidInput(let wanted) = expected {
                #expect(message.hasPrefix(wanted), "case \(index)")
            } else {
                #expect(error == expected, "case \(index)")
            }
            let rows = try await copy.read { db in
                try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM tool_registry) + (SELECT count(*) FROM memory_context)")
            }
            #expect(rows == 0, "case \(index)")
        }
    }

    /// Derived columns must agree with what they derive from: a parent cycle would hang recursive queries.
    @Test func aParentCycleOrWrongDerivedColumnIsRefused() async throws {
        let source = try open("cycle-source")
        let root = try await source.memory.store(MemoryDraft(agentID: "a"), as: testOperator)
        let child = try await source.memory.store(MemoryDraft(agentID: "a", parentID: root.id), as: testOperator)
        _ = try await source.tools.register([definition("t")], as: testOperator)
        let lines = try await export(source, [.tools, .memory])
        let cycle = lines.map { line in
            line.contains(#""id":"\#(root.id)""#) && line.contains(#""table":"memory_context""#)
                ? line.replacingOccurrences(of: #""depth":0"#, with: #""depth":1"#)
                    .replacingOccurrences(of: #""parent_id":null"#, with: #""parent_id":"\#(child.id)""#)
                : line
        }
        let noLatest = lines.map { $0.replacingOccurrences(of: #""is_latest":1"#, with: #""is_latest":0"#) }
        let badKey = lines.map { $0.replacingOccurrences(of: #""version_key":""#, with: #""version_key":"x"#) }
        // Pages of tools copy stored JSON as it is, so it must be exactly what dryad writes.
        let spacedSchema = lines.map { $0.replacingOccurrences(of: #"{\"type\":\"object\"}"#, with: #"{\"type\": \"object\"}"#) }
        let numericTags = lines.map { $0.replacingOccurrences(of: #""tags":"[]""#, with: #""tags":"[1]""#) }
        for (index, (bundle, message)) in [
            (cycle, "bundle: memory contexts whose depth or expiry disagrees with their parent's"),
            (noLatest, "bundle: a tool without exactly one latest version"),
            (badKey, "bundle: tool version 1.0.0 has a wrong version_key"),
            (spacedSchema, "bundle: tool t@1.0.0 has JSON dryad would not have written"),
            (numericTags, "bundle: tool t@1.0.0 has tags that are not a list of strings"),
        ].enumerated() {
            #expect(bundle != lines)
            let copy = try open("cycle-copy\(index)")
            await #expect(throws: DryadError.invalidInput(message)) {
                _ = try await copy.bundles.import(from: LineCollector.source(bundle), as: testOperator)
            }
        }
    }

    /// `anonymous` signs failed token checks in the trail, so an imported principal must not take it.
    @Test func aReservedOrMalformedPrincipalNameIsRefused() async throws {
        let lines = try await export(try await populated(), [.tools, .principals, .permissions])
        for (index, name) in ["anonymous", "..", "local:root"].enumerated() {
            let bundle = lines.map { $0.replacingOccurrences(of: #""alice""#, with: #""\#(name)""#) }
            #expect(bundle != lines)
            let copy = try open("principal-copy\(index)")
            await #expect(throws: DryadError.invalidInput("bundle: principal \"\(name)\" has a name dryad refuses (reserved or malformed)")) {
                _ = try await copy.bundles.import(from: LineCollector.source(bundle), as: testOperator)
            }
        }
    }

    @Test func rowsThatPointNowhereAreRefused() async throws {
        let lines = try await export(try await populated(), [.tools, .principals, .permissions])
        let withoutTools = lines.filter { !$0.contains(#""table":"tool_registry""#) && !$0.contains(#""table":"tool_version""#) }
        let fixed = Array(withoutTools.dropLast()) + [#"{"end":{"rows":\#(withoutTools.count - 2)}}"#]
        let copy = try open("copy")
        await #expect(throws: DryadError.invalidInput("bundle: rows of tool_permission point at missing rows of tool_registry")) {
            _ = try await copy.bundles.import(from: LineCollector.source(fixed), as: testOperator)
        }
    }

    @Test func onlyAdminsExportOrImport() async throws {
        let database = try await populated()
        let alice = try await database.principals.acting(as: "alice", requestID: nil)
        await #expect(throws: DryadError.self) {
            _ = try await database.bundles.export(Set(BundleSection.allCases), to: { _ in }, as: alice)
        }
        let denials = try await database.audit.list(AuditQuery(principal: "alice", decision: "deny"), as: testOperator)
        #expect(denials.items.map(\.action) == ["export"])
    }

    /// A refused row is described in words, never with the SQL of the rule it broke.
    @Test func brokenRulesAreDescribedWithoutSQL() {
        #expect(BundleTransfer.brokenRule("CHECK constraint failed: (parent_id IS NULL) = (depth = 0)") == "holds a value the schema does not allow")
        #expect(BundleTransfer.brokenRule("UNIQUE constraint failed: tool_registry.name") == "repeats a unique value of tool_registry.name")
        #expect(BundleTransfer.brokenRule("NOT NULL constraint failed: principal.type") == "lacks a value for principal.type")
        #expect(BundleTransfer.brokenRule("FOREIGN KEY constraint failed") == "refers to a row that is not in the file")
        #expect(BundleTransfer.brokenRule(nil) == "holds a value the schema does not allow")
    }
}
