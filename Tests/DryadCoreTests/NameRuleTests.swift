import DryadTestSupport
import GRDB
import Testing

@testable import DryadCore

/// One definition per name field: the checks, the schema, the patterns and the help agree.
struct NameRuleTests {
    @Test func theMigrationsCheckWhatTheRulesSay() throws {
        let folder = try TemporaryFolder()
        _ = try DryadDatabase(path: folder.path + "/d.db")
        let schema = try DatabaseQueue(path: folder.path + "/d.db").read { db in
            try [String: String](
                uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table'").map { ($0["name"], $0["sql"]) })
        }
        #expect(schema["tool_registry"]?.contains(NameRule.toolName.sqlCheck("name")) == true, "\(schema["tool_registry"] ?? "")")
        #expect(schema["principal"]?.contains(NameRule.principalName.sqlCheck("name")) == true, "\(schema["principal"] ?? "")")
        #expect(schema["memory_context"]?.contains(NameRule.memoryKey.sqlCheck("key")) == true, "\(schema["memory_context"] ?? "")")
    }

    @Test func theSwiftCheckTheSQLCheckAndThePatternAgree() throws {
        let rules: [NameRule] = [.toolName, .tag, .agentID, .principalName, .memoryKey]
        var candidates = ["a", "A-b_c", "x.y", "a:b", "a/b", "a@b", "a b", "a\u{0}b", "é", "a\nb", "-", "a*b", "a]b", "a[b", "a^b", "a\\b"]
        candidates += [
            String(repeating: "a", count: 64), String(repeating: "a", count: 65), String(repeating: "a", count: 128), String(repeating: "a", count: 129),
        ]
        let queue = try DatabaseQueue()
        for rule in rules {
            let regex = try Regex(rule.pattern)
            for text in candidates {
                let swift = rule.accepts(text)
                let pattern = (try? regex.wholeMatch(in: text)) != nil
                #expect(swift == pattern, "\(rule.pattern) on \(text.debugDescription): swift \(swift), pattern \(pattern)")
                // SQLite's length() and GLOB stop at a NUL, so the CHECK lets "a\0b" through:
                // the core's check refuses it before any SQL, and the v8 triggers (tested
                // below) refuse it in the file.
                guard !text.utf8.contains(0) else { continue }
                let sql = try queue.read { db in try Bool.fetchOne(db, sql: "SELECT \(rule.sqlCheck("?1"))", arguments: [text]) } ?? false
                #expect(swift == sql, "\(rule.pattern) on \(text.debugDescription): swift \(swift), sql \(sql)")
            }
        }
        #expect(NameRule.toolName.accepts("web_search") && !NameRule.toolName.accepts("web.search"))
        #expect(NameRule.memoryKey.summary == "1-128 characters of A-Z a-z 0-9 _ - . : / @")
    }

    /// A name with a NUL written by plain SQL (an import, `sqlite3`) is refused by the file itself.
    @Test func theFileRefusesNamesHoldingANUL() throws {
        let folder = try TemporaryFolder()
        _ = try DryadDatabase(path: folder.path + "/d.db")
        let queue = try DatabaseQueue(path: folder.path + "/d.db")
        let now = "2026-12-07T00:00:00.000Z"
        // char(0) in SQL: GRDB binds a Swift string up to its first NUL, so only SQL (or
        // another program) can store one.
        let attacks = [
            "INSERT INTO tool_registry (id, name, created_at) VALUES ('\(String(repeating: "1", count: 36))', 'web' || char(0) || 'search', '\(now)')",
            "INSERT INTO principal (name, type, role, created_at) VALUES ('ann' || char(0) || 'admin', 'user', 'member', '\(now)')",
        ]
        for sql in attacks {
            #expect(throws: DatabaseError.self) { try queue.write { db in try db.execute(sql: sql) } }
        }
        // Updates too, and a clean name still goes in.
        try queue.write { db in
            try db.execute(sql: "INSERT INTO principal (name, type, role, created_at) VALUES ('ann', 'user', 'member', ?)", arguments: [now])
        }
        #expect(throws: DatabaseError.self) {
            try queue.write { db in try db.execute(sql: "UPDATE principal SET name = 'a' || char(0) WHERE name = 'ann'") }
        }
        let triggers = try queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%without_nul%'")
        }
        #expect(triggers.count == Migrations.namesWithoutNUL.count * 2)
    }
}
