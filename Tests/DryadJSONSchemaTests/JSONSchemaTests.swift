import DryadJSON
import Foundation
import Testing

@testable import DryadJSONSchema

@Suite struct JSONSchemaTests {
    func schema(_ text: String) throws(DryadError) -> JSONSchema {
        try JSONSchema(JSONValue.parse(text))
    }

    /// The violations of an instance, as `pointer: message` lines.
    func violations(_ schemaText: String, _ instanceText: String) throws -> [String] {
        try schema(schemaText).validate(JSONValue.parse(instanceText)).map(\.description)
    }

    /// The message a schema is refused with, or nil if it compiles.
    func refusal(_ value: JSONValue) -> String? {
        do {
            _ = try JSONSchema(value)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func reportsWrongTypeAndMissingPropertyWithPointers() throws {
        let result = try violations(
            #"{"type":"object","properties":{"query":{"type":"string"}},"required":["q"]}"#, #"{"query": 5}"#)
        #expect(result == [#"/query: expected string, got integer"#, #"/: missing required property "q""#])
    }

    @Test(arguments: [
        (#"{"properties":{"n":{"minimum":1}}}"#, #"{"n":0}"#, [#"/n: 0 is less than the minimum 1"#]),
        (
            #"{"properties":{"n":{"exclusiveMaximum":1.5}}}"#, #"{"n":1.5}"#,
            [#"/n: 1.5 is not less than the exclusive maximum 1.5"#]
        ),
        (
            #"{"properties":{"a":{}},"additionalProperties":false}"#, #"{"a":1,"x":2}"#,
            [#"/: additional property "x" is not allowed"#]
        ),
        (#"{"items":{"type":"string"}}"#, #"["a",3]"#, [#"/1: expected string, got integer"#]),
        (#"{"properties":{"a/b~c":{"type":"string"}}}"#, #"{"a/b~c":1}"#, [#"/a~1b~0c: expected string, got integer"#]),
        (#"{"enum":["a","b"]}"#, #""c""#, [#"/: must be one of "a", "b""#]),
        (#"{"const":{"a":[1,2]}}"#, "1", [#"/: must be equal to {"a":[1,2]}"#]),
        (#"{"anyOf":[{"type":"string"},{"type":"null"}]}"#, "5", [#"/: expected string or null, got integer"#]),
        (
            #"{"anyOf":[{"type":"string","minLength":3},{"type":"null"}]}"#, #""ab""#,
            [#"/: must be at least 3 characters long, got 2"#]
        ),
        (
            #"{"oneOf":[{"type":"integer"},{"minimum":0}]}"#, "1",
            [#"/: must match exactly one of the "oneOf" schemas, but matches schemas 0, 1"#]
        ),
        (#"{"not":{"type":"string"}}"#, #""x""#, [#"/: must not match the "not" schema"#]),
        (#"{"maxLength":1}"#, "\"e\u{301}\"", [#"/: must be at most 1 character long, got 2"#]),
        (#"{"maxLength":2}"#, "\"💩💩\"", []),
        (#"{"pattern":"^[a-z]+$"}"#, #""abc1""#, [#"/: "abc1" does not match the pattern "^[a-z]+$""#]),
        (#"{"multipleOf":0.01}"#, "0.005", [#"/: 0.005 is not a multiple of 0.01"#]),
        (#"{"uniqueItems":true}"#, "[1, 2, 1.0]", [#"/: items 0 and 2 are equal, but items must be unique"#]),
        (#"{"prefixItems":[{}],"items":false}"#, "[1,2,3]", [#"/: must have at most 1 item, got 3"#]),
        (#"{"contains":{"type":"integer"}}"#, #"["x"]"#, [#"/: must contain an item that matches the "contains" schema"#]),
        (#"{"properties":{"a":false}}"#, #"{"a":1}"#, [#"/: property "a" is not allowed"#]),
        (#"{"dependentRequired":{"a":["b"]}}"#, #"{"a":1}"#, [#"/: missing property "b", required when "a" is present"#]),
        (
            #"{"propertyNames":{"pattern":"^[a-z]+$"}}"#, #"{"Ab":1}"#,
            [#"/: property name "Ab": "Ab" does not match the pattern "^[a-z]+$""#]
        ),
        (
            #"{"allOf":[{"properties":{"a":true}}],"unevaluatedProperties":false}"#, #"{"a":1,"b":2}"#,
            [#"/: unevaluated property "b" is not allowed"#]
        ),
        (#"{"minProperties":2}"#, #"{"a":1}"#, [#"/: must have at least 2 properties, got 1"#]),
        (
            #"{"dependencies":{"a":["b"],"c":{"required":["d"]}}}"#, #"{"a":1,"c":2}"#,
            [#"/: missing required property "d""#, #"/: missing property "b", required when "a" is present"#]
        ),
        (#"{"items":false}"#, "[[]]", [#"/: must have at most 0 items, got 1"#]),
        (
            #"{"properties":{"x":{"items":{"properties":{"y":false}}}}}"#, #"{"x":[{"y":1}]}"#,
            [#"/x/0: property "y" is not allowed"#]
        ),
    ])
    func reportsReadableMessages(schema: String, instance: String, expected: [String]) throws {
        #expect(try violations(schema, instance) == expected)
    }

    @Test func listsEveryViolationInAStableOrder() throws {
        let schema = #"{"properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}"#
        let expected = [
            "/a: expected string, got integer", "/b: expected string, got null",
            #"/: additional property "c" is not allowed"#, #"/: additional property "d" is not allowed"#,
        ]
        for _ in 0..<5 {
            #expect(try violations(schema, #"{"d":1,"b":null,"c":2,"a":3}"#) == expected)
        }
    }

    @Test func encodesPointerAndMessage() throws {
        let violation = SchemaViolation(pointer: "/a", message: "expected string, got integer")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(violation), as: UTF8.self)
        #expect(text == #"{"message":"expected string, got integer","pointer":"/a"}"#)
        #expect(SchemaViolation(pointer: "", message: "m").description == "/: m")
    }

    @Test(arguments: [
        (#"{"properties":{"q":{"type":5}}}"#, "/properties/q/type: must be a string or an array of strings"),
        (#"{"type":"strin"}"#, #"/type: "strin" is not a type (use string, number, integer, boolean, object, array or null)"#),
        (#"{"required":"x"}"#, "/required: must be an array of strings"),
        (#"{"minimum":"1"}"#, "/minimum: must be a number"),
        (#"{"minLength":-1}"#, "/minLength: must be a non-negative integer"),
        (#"{"multipleOf":0}"#, "/multipleOf: must be a number greater than 0"),
        (#"{"pattern":"("}"#, #"/pattern: "(" is not a valid regular expression"#),
        (#"{"patternProperties":{"[":{}}}"#, #"/patternProperties/[: "[" is not a valid regular expression"#),
        (##"{"$ref":"#/$defs/missing"}"##, ##"/$ref: cannot resolve "#/$defs/missing""##),
        (##"{"$defs":{"a":{"$ref":"#nowhere"}}}"##, ##"/$defs/a/$ref: cannot resolve "#nowhere""##),
        (
            #"{"$ref":"http://localhost:1234/x.json"}"#,
            #"/$ref: cannot resolve "http://localhost:1234/x.json": remote references are not supported"#
        ),
        (#"{"properties":{"a":"string"}}"#, "/properties/a: must be a schema (an object or a boolean), got string"),
        (#"{"allOf":[]}"#, "/allOf: must be a non-empty array of schemas"),
        (#"{"items":[{}]}"#, #"/items: must be a schema; since draft 2020-12 an array of schemas is written "prefixItems""#),
        (
            #"{"$anchor":"1x"}"#,
            #"/$anchor: "1x" is not a valid anchor name (a letter or _ followed by letters, digits, -, _ or .)"#
        ),
        (#"{"$id":"http://example.com/s#frag"}"#, "/$id: must not contain a fragment (use $anchor to name a subschema)"),
        ("5", "/: must be a schema (an object or a boolean), got integer"),
    ])
    func refusesInvalidSchemasNamingThePointer(schema: String, expected: String) throws {
        #expect(refusal(try JSONValue.parse(schema)) == expected)
    }

    @Test func refusesDeeplyNestedSchemas() {
        var schema = JSONValue.bool(true)
        for _ in 0..<300 { schema = .object(["items": schema]) }
        #expect(refusal(schema)?.contains("schema is nested more than 200 levels deep") == true)
    }

    @Test func acceptsBooleanAndEmptySchemas() throws {
        #expect(try schema("true").isValid(.string("x")))
        #expect(try schema("{}").isValid(.null))
        #expect(try violations("false", "1") == ["/: no value is allowed here"])
    }

    @Test func comparesNumbersExactly() throws {
        #expect(
            try violations(#"{"maximum":9007199254740992}"#, "9007199254740993")
                == ["/: 9007199254740993 is greater than the maximum 9007199254740992"])
        #expect(try schema(#"{"multipleOf":0.0001}"#).isValid(.number(0.0075)))
        #expect(try schema(#"{"multipleOf":0.01}"#).isValid(.number(19.99)))
        #expect(try schema(#"{"multipleOf":0.1}"#).isValid(.number(0.3)))
        #expect(try schema(#"{"multipleOf":1e-8}"#).isValid(.integer(12_391_239_123)))
        #expect(try schema(#"{"multipleOf":0.5}"#).isValid(.number(1e308)))
        #expect(try schema(#"{"multipleOf":7}"#).isValid(.integer(.max)))
        #expect(try !schema(#"{"multipleOf":3}"#).isValid(.integer(.min)))
        #expect(try !schema(#"{"multipleOf":0.123456789}"#).isValid(.number(1e308)))
        #expect(try schema(#"{"type":"integer"}"#).isValid(.number(1.0)))
    }

    @Test func translatesECMAScriptPatterns() throws {
        let digits = try schema(#"{"pattern":"^\\d+$"}"#)
        #expect(try digits.isValid(.string("123")))
        #expect(try !digits.isValid(.string("١٢٣")))  // \d is ASCII-only in ECMA-262
        #expect(try !digits.isValid(.string("123\n")))  // $ does not match before a final newline
        #expect(try schema(#"{"pattern":"[^]"}"#).isValid(.string("\n")))
        #expect(try schema(#"{"pattern":"a[]"}"#).isValid(.string("b")) == false)
        #expect(try schema(#"{"pattern":"b"}"#).isValid(.string("abc")))  // unanchored search
    }

    /// Runs `body` on a thread with the given stack size and waits for its result.
    func onThread<T: Sendable>(stackSize: Int, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = stackSize
            thread.start()
        }
    }

    @Test func deepInstancesReportAViolationInsteadOfCrashing() async throws {
        let recursive = try schema(##"{"items":{"$ref":"#"},"additionalProperties":{"$ref":"#"}}"##)
        let unique = try schema(#"{"uniqueItems":true}"#)
        let shallow = try schema(#"{"type":"array"}"#)
        // A big stack for building and freeing the value: releasing a 10,000-deep value
        // recurses in the standard library, whatever the validator does.
        let results = await onThread(stackSize: 64 << 20) {
            var deepArray = JSONValue.null
            var deepObject = JSONValue.null
            for _ in 0..<10_000 {
                deepArray = .array([deepArray])
                deepObject = .object(["a": deepObject])
            }
            return (
                try? recursive.validate(deepArray), try? recursive.isValid(deepArray), try? recursive.validate(deepObject),
                try? unique.validate(.array([deepArray, deepArray])), try? shallow.isValid(deepArray)
            )
        }
        #expect(results.0?.count == 1)
        #expect(results.0?.first?.message == "the value or the schema is nested too deeply to validate")
        #expect(results.1 == false)
        #expect(results.2?.first?.message == "the value or the schema is nested too deeply to validate")
        #expect(results.3?.map(\.description) == ["/: items 0 and 1 are equal, but items must be unique"])
        #expect(results.4 == true)
    }

    @Test func deepInstancesAreSafeOnSmallStacks() async throws {
        let recursive = try schema(##"{"items":{"$ref":"#"}}"##)
        // 512 KB is the size of secondary threads on macOS.
        let violations = await onThread(stackSize: 512 << 10) {
            var deep = JSONValue.null
            for _ in 0..<2_000 { deep = .array([deep]) }
            return try? recursive.validate(deep)
        }
        #expect(violations?.map(\.message) == ["the value or the schema is nested too deeply to validate"])
    }

    @Test func referenceCyclesTerminate() throws {
        let cycle = ##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##
        #expect(try violations(cycle, "1") == ["/: the reference at /$defs/b in the schema loops back to itself"])
        #expect(try !schema(cycle).isValid(.integer(1)))
        #expect(try violations(##"{"$ref":"#"}"##, "{}") == ["/: the reference at / in the schema loops back to itself"])
        #expect(try !schema(##"{"anyOf":[{"$ref":"#"}]}"##).isValid(.null))
        // Recursion that descends into the instance is no loop.
        let tree = ##"{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#"}}}}"##
        #expect(try schema(tree).isValid(JSONValue.parse(#"{"children":[{"children":[]},{}]}"#)))
        #expect(try violations(tree, #"{"children":[{"children":[1]}]}"#) == ["/children/0/children/0: expected object, got integer"])
    }

    @Test func resolvesReferencesToTheMetaschema() throws {
        #expect(SchemaMetaschemas.parsed.count == SchemaMetaschemas.texts.count)
        let meta = try schema(#"{"$ref":"https://json-schema.org/draft/2020-12/schema"}"#)
        #expect(try meta.isValid(try JSONValue.parse(#"{"type":"object","properties":{"q":{"type":"string"}}}"#)))
        #expect(try !meta.isValid(try JSONValue.parse(#"{"properties":{"q":{"type":5}}}"#)))
        #expect(try !meta.isValid(try JSONValue.parse(#"{"$defs":{"a":{"minLength":-1}}}"#)))
    }

    @Test func resolvesIdsAnchorsAndEscapedPointers() throws {
        let schema = try schema(
            #"""
            {"$id":"https://example.com/root.json",
             "properties":{"a":{"$ref":"other.json"},"b":{"$ref":"#top"},"c":{"$ref":"#/$defs/x~1y%25z"}},
             "$defs":{"o":{"$id":"other.json","type":"string"},"t":{"$anchor":"top","type":"integer"},
                      "x/y%z":{"type":"null"}}}
            """#)
        #expect(try schema.isValid(JSONValue.parse(#"{"a":"s","b":1,"c":null}"#)))
        #expect(
            try schema.validate(JSONValue.parse(#"{"a":1,"b":"s","c":0}"#)).map(\.description)
                == ["/a: expected string, got integer", "/b: expected integer, got string", "/c: expected null, got integer"])
    }

    @Test func isSafeToShareAcrossTasks() async throws {
        let schema = try schema(#"{"type":"object","properties":{"n":{"type":"integer","pattern":"x"}},"required":["n"]}"#)
        let counts = await withTaskGroup(of: Int.self) { group in
            for i in 0..<32 {
                group.addTask { (try? schema.validate(.object(["n": i % 2 == 0 ? .integer(1) : .string("x")])))?.count ?? -1 }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts.sorted() == Array(repeating: 0, count: 16) + Array(repeating: 1, count: 16))
    }
}
