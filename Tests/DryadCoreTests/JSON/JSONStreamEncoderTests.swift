import DryadTestSupport
import Foundation
import Testing

@testable import DryadCore
@testable import DryadJSON

/// The streaming encoder must write what JSONEncoder (`.withoutEscapingSlashes`) writes: the
/// same bytes for every scalar and array, the same members for objects (JSONEncoder orders
/// object keys by hash, differently from run to run; the stream keeps the written order).
@Suite struct JSONStreamEncoderTests {
    static func reference<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func streamed<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONStreamEncoder.encode(value), as: UTF8.self)
    }

    func expectSame<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let streamed = try Self.streamed(value), reference = try Self.reference(value)
        if reference.contains("{") {
            // Members compared in sorted order; scalars inside keep their exact text through canonicalText.
            #expect(try JSONValue.parse(streamed).canonicalText == JSONValue.parse(reference).canonicalText, sourceLocation: sourceLocation)
            #expect(streamed.utf8.count == reference.utf8.count, sourceLocation: sourceLocation)
        } else {
            #expect(streamed == reference, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        "", "plain", "quote \" and backslash \\", "slash / stays", "line\nfeed\r\ttab", "\u{08}\u{0C}", "\u{01}\u{1F}\u{7F}",
        "ünïcödé ✓ 𝄞", "nul \u{0}", "emoji 👩‍👩‍👧",
    ])
    func stringsAreEscapedLikeJSONEncoder(_ text: String) throws {
        try expectSame(text)
        try expectSame(JSONValue.string(text))
        var bytes: [UInt8] = []
        JSONStreamEncoder.appendQuoted(text, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == (try Self.reference(text)))
    }

    @Test(arguments: [
        0.0, -0.0, 1.0, -1.5, 0.1, 1e20, 1e21, 1e-7, 123456789.125, Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude, 9007199254740993.0,
    ])
    func doublesAreWrittenLikeJSONEncoder(_ number: Double) throws {
        try expectSame(number)
        try expectSame(JSONValue.number(number))
        try expectSame(["n": number])
    }

    @Test func integersNullsAndNesting() throws {
        let value: JSONValue = .object([
            "max": .integer(.max), "min": .integer(.min), "null": .null, "yes": .bool(true), "no": .bool(false),
            "list": .array([.integer(1), .array([]), .object([:]), .string("x"), .array([.null, .number(2.5)])]),
            "deep": .object(["a": .object(["b": .array([.object(["c": .integer(3)])])])]),
        ])
        try expectSame(value)
        try expectSame([value, .null])
        try expectSame([Int?.none, 1])
    }

    @Test func nonFiniteNumbersFailLikeJSONEncoder() {
        #expect(throws: (any Error).self) { try Self.reference(Double.nan) }
        #expect(throws: (any Error).self) { try JSONStreamEncoder.encode(Double.nan) }
        #expect(throws: (any Error).self) { try JSONStreamEncoder.encode(["x": Double.infinity]) }
    }

    @Test func foundationTypesAreLeftToJSONEncoder() {
        #expect(throws: JSONStreamEncoder.Unsupported.self) { try JSONStreamEncoder.encode(["when": Date(timeIntervalSince1970: 0)]) }
        #expect(throws: JSONStreamEncoder.Unsupported.self) { try JSONStreamEncoder.encode([Data([1, 2])]) }
        #expect(throws: JSONStreamEncoder.Unsupported.self) { try JSONStreamEncoder.encode(SuperEncoding()) }
    }

    /// Nested containers opened by hand, a second call to `container`, and an empty nested value.
    @Test func handWrittenContainersMatch() throws {
        try expectSame(Nested())
        #expect(try Self.streamed(Nested()) == #"{"name":"n","inner":{"name":1,"list":[true,null,{"name":2.5}]},"after":[]}"#)
        try expectSame([Nested(), Nested()])
        try expectSame(["empty": Empty()])
        #expect(throws: (any Error).self) { try JSONStreamEncoder.encode(Empty()) }
    }

    /// Every kind of record the API returns, made by the real core.
    @Test func recordsOfTheCoreMatch() async throws {
        let folder = try TemporaryFolder()
        let database = try DryadDatabase(path: folder.path + "/d.db")
        var tool = definition("enc", tags: ["a", "b/c"])
        tool.metadata = ["owner": .string("ops \"team\""), "n": .number(0.25)]
        let registered = try await database.tools.register([tool], as: testOperator)
        try expectSame(registered)
        let page = try await database.tools.list(ToolQuery(), page: PageRequest(), as: testOperator)
        try expectSame(page)
        let context = try await database.memory.store(
            MemoryDraft(agentID: "agent", data: .object(["note": .string("line\nbreak")]), tags: ["t"]), as: testOperator)
        try expectSame(context)
        let audit = try await database.audit.list(AuditQuery(), as: testOperator)
        try expectSame(audit)
        let principals = try await database.principals.list(as: testOperator)
        try expectSame(principals)
    }
}

private struct Nested: Encodable {
    enum Keys: String, CodingKey { case name, inner, list, after }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("n", forKey: .name)
        var inner = container.nestedContainer(keyedBy: Keys.self, forKey: .inner)
        try inner.encode(1, forKey: .name)
        var list = inner.nestedUnkeyedContainer(forKey: .list)
        try list.encode(true)
        try list.encodeNil()
        var object = list.nestedContainer(keyedBy: Keys.self)
        try object.encode(2.5, forKey: .name)
        var again = encoder.container(keyedBy: Keys.self)
        try again.encode([String](), forKey: .after)
    }
}

private struct Empty: Encodable {
    func encode(to encoder: any Encoder) throws {}
}

private struct SuperEncoding: Encodable {
    enum Keys: String, CodingKey { case base }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try "x".encode(to: container.superEncoder())
    }
}

/// Paging cursors are written by hand; they must stay the base64url of the canonical JSON key.
@Suite struct CursorTests {
    @Test(arguments: [
        ["tool-1", "001.002.003~"], ["", ""], [#"quote " and \ backslash"#, "a/b"], ["tab\tnew\nline\u{1}", "é ü 中文 🙂"],
        ["12"], ["x", "y", "z"],
    ])
    func cursorsAreBase64URLOfTheCanonicalKey(key: [String]) throws {
        let cursor = Cursor.encode(key)
        let expected = Data(JSONValue.array(key.map(JSONValue.string)).canonicalText.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        #expect(cursor == expected)
        #expect(!cursor.contains { "+/=".contains($0) })
        #expect(try Cursor.decode(cursor, fields: key.count) == key)
    }

    /// A cached answer is written as it is, not parsed and encoded again (which drops the space).
    @Test func writtenJSONIsCopiedAtTheTopLevelToo() throws {
        let written = EncodedJSON(bytes: Array(#"{"b":1, "a":[2]}"#.utf8))
        #expect(try JSONStreamEncoder.encode(written) == written.bytes)
        #expect(try EncodedJSON(encoding: written) == written)
    }
}
