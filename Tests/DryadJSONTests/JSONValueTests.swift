import DryadTestSupport
import Foundation
import Testing

@testable import DryadJSON

@Suite struct JSONValueTests {
    /// `JSONPointer.setting`, where a run's output goes: missing and null objects are made,
    /// `-` or the length appends, anything else past an array's end or through a scalar is nil.
    @Test func settingAValueAtAPointer() throws {
        let document = try JSONValue.parse(#"{"a": null, "list": [1], "n": 3}"#)
        let value = JSONValue.string("v")
        #expect(JSONPointer.setting(value, at: "/a/b", in: document)?.objectValue?["a"] == .object(["b": value]))
        #expect(JSONPointer.setting(value, at: "/new/deep/x~1y", in: document)?.objectValue?["new"] == (try JSONValue.parse(#"{"deep": {"x/y": "v"}}"#)))
        #expect(JSONPointer.setting(value, at: "/list/-", in: document)?.objectValue?["list"] == .array([.integer(1), value]))
        #expect(JSONPointer.setting(value, at: "/list/1", in: document)?.objectValue?["list"] == .array([.integer(1), value]))
        #expect(JSONPointer.setting(value, at: "/list/0", in: document)?.objectValue?["list"] == .array([value]))
        #expect(JSONPointer.setting(value, at: "/list/2", in: document) == nil)
        #expect(JSONPointer.setting(value, at: "/n/x", in: document) == nil)
        #expect(JSONPointer.setting(value, at: "", in: document) == value)
        #expect(JSONPointer.setting(value, at: "nope", in: document) == nil)
    }

    @Test func parsesEveryKind() throws {
        let value = try JSONValue.parse(#"{"a":[1,2.5,"x",true,null,{"b":{}}],"big":9007199254740993}"#)
        #expect(
            value
                == .object([
                    "a": .array([.integer(1), .number(2.5), .string("x"), .bool(true), .null, .object(["b": .object([:])])]),
                    "big": .integer(9_007_199_254_740_993),
                ]))
    }

    @Test func comparesNumbersByValue() {
        #expect(JSONValue.integer(1) == .number(1.0))
        #expect(Set([JSONValue.integer(1), .number(1.0)]).count == 1)
        #expect(JSONValue.integer(1) != .bool(true))
        #expect(JSONValue.number(1.0).typeName == "integer")
        #expect(JSONValue.number(1.5).typeName == "number")
    }

    @Test func canonicalTextSortsKeysAndRoundTrips() throws {
        let value = try JSONValue.parse(#"{"z":1,"a":{"y":"/path","b":[]}}"#)
        #expect(value.canonicalText == #"{"a":{"b":[],"y":"/path"},"z":1}"#)
        #expect(try JSONValue.parse(value.canonicalText) == value)
    }

    @Test func prettyTextIsIndentedAndParsesBack() throws {
        let value = try JSONValue.parse(#"{"b":[1,{}],"a":{}}"#)
        #expect(value.prettyText == "{\n  \"a\": {},\n  \"b\": [\n    1,\n    {}\n  ]\n}")
        #expect(try JSONValue.parse(value.prettyText) == value)
    }

    @Test func refusesMalformedJSONWithAReason() {
        #expect(errorCode { _ = try JSONValue.parse("{bad") } == "invalid_input")
        do {
            _ = try JSONValue.parse("[1,2")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == "invalid_input")
            #expect(error.message.hasPrefix("invalid JSON: "))
        }
    }

    /// The hand-written parser reads valid documents exactly as JSONDecoder did.
    @Test(arguments: [
        #"0"#, #"-0"#, #"-12"#, #"1.0"#, #"1.5"#, #"-2.5e-3"#, #"1E2"#, #"9223372036854775807"#, #"9223372036854775808"#,
        #"-9223372036854775808"#, #"123456789012345678901234567890"#, #"0.1"#, #"true"#, #"null"#, #""""#,
        #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u4e2d\ud83d\ude00""#, #""héllo ✓""#, #"[]"#, #"{}"#,
        #" { "a" : [ 1 , { "b" : null } ] , "c" : "x" } "#, #""\u0000""#,
    ])
    func parsesLikeJSONDecoder(text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let parsed = try JSONValue.parse(text)
        #expect(parsed == expected)
        #expect(parsed.canonicalText == expected.canonicalText)
    }

    /// Stricter than JSONDecoder: no trailing commas, no lone surrogates, no raw control
    /// characters, nothing after the document, no key twice in one object.
    @Test(arguments: [
        #"{"a":1,}"#, #"[1,]"#, #""\ud800""#, "\"a\u{01}b\"", #"01"#, #"1."#, #".5"#, #"+1"#, #"[1] x"#,
        #"{"a" 1}"#, #"nul"#, #""\x""#, #"-"#, #"1e"#, "", #"{"a":1,"a":2}"#, #"[{"x":{"y":1,"y":1}}]"#,
    ])
    func refusesWhatRFC8259Refuses(text: String) {
        #expect(errorCode { _ = try JSONValue.parse(text) } == "invalid_input")
    }

    @Test func refusesInvalidUTF8InStrings() {
        #expect(errorCode { _ = try JSONValue.parse(Data([0x22, 0xC3, 0x28, 0x22])) } == "invalid_input")
        #expect(errorCode { _ = try JSONValue.parse(Data([0x22, 0x61, 0xFF, 0x22])) } == "invalid_input")
    }

    @Test func refusesDeepNestingWithoutCrashing() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: DryadError.invalidInput("invalid JSON: nested deeper than 128 levels")) {
            try JSONValue.parse(deep)
        }
        // Brackets inside strings do not count.
        let quoted = "\"" + String(repeating: "[", count: 500) + "\""
        #expect((try? JSONValue.parse(quoted)) == .string(String(repeating: "[", count: 500)))
    }

    @Test func limitsDepthExactlyAndWhileParsing() throws {
        func nested(_ depth: Int) -> String { String(repeating: "{\"a\":[", count: depth) + "1" + String(repeating: "]}", count: depth) }
        // Each level is an object and an array: 64 of them is exactly 128 deep.
        #expect(try JSONValue.parse(nested(64)).nestingDepth(limit: 200) == 128)
        #expect(throws: DryadError.invalidInput("invalid JSON: nested deeper than 128 levels")) { try JSONValue.parse(nested(65)) }
        #expect(throws: DryadError.invalidInput("invalid JSON: nested deeper than 127 levels")) {
            try JSONValue.parse(Data(nested(64).utf8), maxDepth: 127)
        }
        // Too deep wins over a syntax error that comes after the limit; an error before it is a syntax error.
        #expect(throws: DryadError.invalidInput("invalid JSON: nested deeper than 3 levels")) { try JSONValue.parse("[[[[1,]]]]", maxDepth: 3) }
        let early = #expect(throws: DryadError.self) { try JSONValue.parse("[1,][[[[[]]]]]", maxDepth: 3) }
        #expect(early.map { "\($0)" }?.contains("nested deeper") == false)
    }

    @Test func parsesStringsAndBytesAlike() throws {
        let text = #"{"name":"dryad","tags":["a","ü"],"n":-12,"x":1.5,"ok":true,"none":null}"#
        #expect(try JSONValue.parse(text) == JSONValue.parse(Data(text.utf8)))
        // A bridged or substring-backed string may not be contiguous: it still parses.
        let sliced = String(("  " + text + "  ").dropFirst(2).dropLast(2))
        #expect(try JSONValue.parse(sliced) == JSONValue.parse(text))
    }
}
