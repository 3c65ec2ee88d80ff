import DryadJSON
import DryadTestSupport
import Foundation
import Testing

@testable import DryadJSONSchema

/// The security review's stalls, performed: each case that held a thread for seconds is now
/// decided within the work budget (`SchemaBudget`), and honest work of the same shape passes.
@Suite struct SchemaBudgetTests {
    let overBudget = DryadError.invalidInput(
        "validation was stopped at its work budget of \(SchemaBudget.defaultSteps) steps: the value and the schema together need more work than one request may take"
    )

    /// `allOf: [$ref d(i+1), $ref d(i+1)]`, `levels` deep: 2^levels applications for one value.
    func fanOut(levels: Int) throws -> JSONSchema {
        var definitions: [String: JSONValue] = ["d\(levels)": .object(["type": .string("integer")])]
        for i in 0..<levels {
            let next = JSONValue.object(["$ref": .string("#/$defs/d\(i + 1)")])
            definitions["d\(i)"] = .object(["allOf": .array([next, next])])
        }
        return try JSONSchema(.object(["$defs": .object(definitions), "$ref": .string("#/$defs/d0")]))
    }

    /// The review's schema: under 2 KB, 24 levels, about 4 s before the budget.
    @Test func aReferenceFanOutIsRefusedAtTheBudget() throws {
        let attack = try fanOut(levels: 24)
        #expect(throws: overBudget) { _ = try attack.validate(.integer(1)) }
        #expect(throws: overBudget) { _ = try attack.isValid(.integer(1)) }
        // Sixteen levels (65,536 applications) are honest work, and still answered.
        let deepButFine = try fanOut(levels: 16)
        #expect(try deepButFine.isValid(.integer(1)))
        #expect(try deepButFine.validate(.string("x")).first?.message == "expected integer, got string")
    }

    /// 6,000 items nested 17 deep that differ only at the bottom all hashed alike when hashing
    /// looked 16 levels down, and comparing each with all the others took 19.8 s. Hashed whole,
    /// they are told apart in one pass, and a true duplicate is still found.
    @Test func uniqueItemsOverItemsAlikeToTheBottomIsLinear() throws {
        func nested(_ leaf: Int) -> JSONValue {
            var value = JSONValue.integer(Int64(leaf))
            for _ in 0..<17 { value = .array([value]) }
            return value
        }
        let unique = try JSONSchema(.object(["uniqueItems": .bool(true)]))
        var items = (0..<6_000).map(nested)
        #expect(try unique.validate(.array(items)).isEmpty)
        items.append(nested(4_321))
        #expect(try unique.validate(.array(items)).map(\.description) == ["/: items 4321 and 6000 are equal, but items must be unique"])
        // The hashing is paid for from the budget too: 6,001 items of 18 values each.
        #expect(throws: DryadError.self) { _ = try unique.validate(.array(items), budget: 100_000) }
        #expect(try unique.validate(.array(items), budget: 120_000).count == 1)
    }

    /// `^(\w+\s?)*$` against a 1,000-letter word and a `!` backtracks for about a second per
    /// request; the matcher is stopped at the budget, and honest matches of the same pattern pass.
    @Test func aBacktrackingPatternIsStoppedAtTheBudget() throws {
        let words = try JSONSchema(.object(["pattern": .string(#"^(\w+\s?)*$"#)]))
        let attack = JSONValue.string(String(repeating: "a", count: 1_000) + "!")
        #expect(throws: overBudget) { _ = try words.validate(attack) }
        #expect(throws: overBudget) { _ = try words.isValid(attack) }
        #expect(try words.isValid(.string(String(repeating: "word ", count: 2_000))))
        #expect(try words.validate(.string("two words!")).count == 1)
        // The same pattern under `patternProperties` (and so `additionalProperties`) is bounded too.
        let keys = try JSONSchema(
            .object(["patternProperties": .object([#"^(\w+\s?)*$"#: .bool(true)]), "additionalProperties": .bool(false)]))
        #expect(throws: overBudget) { _ = try keys.validate(.object([String(repeating: "a", count: 1_000) + "!": .null])) }
    }

    @Test func patternsLongerThanTheCapAreRefusedWhenTheSchemaIsCompiled() throws {
        let long = String(repeating: "a", count: SchemaRegex.maxLength + 1)
        #expect(throws: DryadError.invalidInput("/pattern: a pattern may be at most 4096 characters long")) {
            _ = try JSONSchema(.object(["pattern": .string(long)]))
        }
        #expect(try JSONSchema(.object(["pattern": .string(String(long.dropFirst()))])).isValid(.string(long)))
    }
}
