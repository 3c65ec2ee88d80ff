import DryadTestSupport
import Testing

@testable import DryadCore

/// Free text holding a NUL is refused, not cut short: GRDB binds a string up to its first NUL,
/// so `abc\u{0}def` was stored as `abc` and reported as registered.
@Suite struct StoredTextTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    @Test func aDescriptionWithANULIsRefusedNotTruncated() async throws {
        let refused = await #expect(throws: DryadError.self) {
            try await database.tools.register([definition("t", description: "abc\u{0}def")], as: testOperator)
        }
        #expect(refused == .invalidInput("description: must not contain a NUL character (U+0000)"))
        let tools = try await database.tools.list(ToolQuery(), as: testOperator)
        #expect(tools.items.isEmpty, "nothing half-written")
    }

    @Test func labelsAndErrorTextWithANULAreRefused() async throws {
        await #expect(throws: DryadError.invalidInput("label: must not contain a NUL character (U+0000)")) {
            try await database.sessions.start(label: "a\u{0}b", as: testOperator)
        }
        await #expect(throws: DryadError.invalidInput("message: must not contain a NUL character (U+0000)")) {
            try await database.errors.log(type: "t", message: "boom\u{0}hidden", as: testOperator)
        }
        let logged = try await database.errors.log(type: "t", message: "boom", as: testOperator)
        await #expect(throws: DryadError.invalidInput("note: must not contain a NUL character (U+0000)")) {
            try await database.errors.resolve(logged.id, note: "fixed\u{0}", as: testOperator)
        }
    }
}
