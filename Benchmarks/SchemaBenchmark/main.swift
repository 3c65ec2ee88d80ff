import DryadJSON
import DryadJSONSchema
import Foundation

/// Times the security review's stalling validations and honest work of the same shapes, in
/// one release-built process: each row is the median of `runs` validations (schema compiled
/// and instance built beforehand), its verdict and the budget steps it needs. Prints figures
/// and asserts nothing.

let runs = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 5

func milliseconds(_ body: () -> Void) -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    }
    return times.sorted()[times.count / 2]
}

func verdict(_ schema: JSONSchema, _ instance: JSONValue, budget: Int = SchemaBudget.defaultSteps) -> String {
    do {
        let violations = try schema.validate(instance, budget: budget)
        return violations.isEmpty ? "valid" : "\(violations.count) violation(s)"
    } catch {
        return "refused: over budget"
    }
}

/// The least budget that decides the case, found by bisection; "more than the budget" when
/// the default does not.
func stepsNeeded(_ schema: JSONSchema, _ instance: JSONValue) -> String {
    guard (try? schema.validate(instance)) != nil else { return "> \(SchemaBudget.defaultSteps)" }
    var low = 0
    var high = SchemaBudget.defaultSteps
    while low + 1 < high {
        let middle = (low + high) / 2
        if (try? schema.validate(instance, budget: middle)) != nil { high = middle } else { low = middle }
    }
    return "\(high)"
}

func fanOut(levels: Int) -> JSONSchema {
    var definitions: [String: JSONValue] = ["d\(levels)": .object(["type": .string("integer")])]
    for i in 0..<levels {
        let next = JSONValue.object(["$ref": .string("#/$defs/d\(i + 1)")])
        definitions["d\(i)"] = .object(["allOf": .array([next, next])])
    }
    return try! JSONSchema(.object(["$defs": .object(definitions), "$ref": .string("#/$defs/d0")]))
}

func nested(_ leaf: Int, depth: Int) -> JSONValue {
    var value = JSONValue.integer(Int64(leaf))
    for _ in 0..<depth { value = .array([value]) }
    return value
}

let unique = try! JSONSchema(.object(["uniqueItems": .bool(true)]))
let words = try! JSONSchema(.object(["pattern": .string(#"^(\w+\s?)*$"#)]))
let record = try! JSONSchema(
    JSONValue.parse(
        #"""
        {"type":"array","items":{"type":"object","required":["id","name"],"additionalProperties":false,
         "properties":{"id":{"type":"integer","minimum":0},"name":{"type":"string","maxLength":64},
         "email":{"type":"string","pattern":"^[^@]+@[^@]+$"},"tags":{"type":"array","items":{"type":"string"}},
         "score":{"type":"number"},"active":{"type":"boolean"},"a":{},"b":{},"c":{},"d":{}}}}
        """#))
let honestRecords = JSONValue.array(
    (0..<20_000).map { i in
        .object([
            "id": .integer(Int64(i)), "name": .string("user \(i)"), "email": .string("u\(i)@example.com"),
            "tags": .array([.string("a"), .string("b")]), "score": .number(Double(i) / 3), "active": .bool(i % 2 == 0),
        ])
    })

let attackWord = JSONValue.string(String(repeating: "a", count: 1_000) + "!")
let rows: [(String, JSONSchema, JSONValue)] = [
    ("$ref fan-out, 24 levels (review: ~4 s)", fanOut(levels: 24), .integer(1)),
    ("$ref fan-out, 16 levels", fanOut(levels: 16), .integer(1)),
    ("uniqueItems, 6,000 items 17 deep (review: 19.8 s)", unique, .array((0..<6_000).map { nested($0, depth: 17) })),
    ("uniqueItems, 100,000 strings", unique, .array((0..<100_000).map { .string("item \($0)") })),
    ("pattern ^(\\w+\\s?)*$, 1,000 letters and ! (review: ~1 s)", words, attackWord),
    ("pattern ^(\\w+\\s?)*$, 2,000 words", words, .string(String(repeating: "word ", count: 2_000))),
    ("20,000 records (about 1.5 MB of JSON), 10-property schema", record, honestRecords),
]
print("| case | verdict | median ms | steps needed |")
print("| --- | --- | --- | --- |")
for (name, schema, instance) in rows {
    let ms = milliseconds { _ = verdict(schema, instance) }
    print("| \(name) | \(verdict(schema, instance)) | \(String(format: "%.1f", ms)) | \(stepsNeeded(schema, instance)) |")
}
