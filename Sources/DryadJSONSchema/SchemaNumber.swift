import DryadJSON
import Foundation

/// A JSON number as a schema keyword holds it: an exact integer or a double.
///
/// Comparisons between the two kinds are exact, so `9007199254740993` is greater than
/// the double `9007199254740992` even though both convert to the same double.
enum SchemaNumber: Sendable, Equatable {
    case integer(Int64)
    case double(Double)

    /// The number a JSON value holds, or nil for other kinds of value.
    init?(_ value: JSONValue) {
        switch value {
        case .integer(let i): self = .integer(i)
        case .number(let d): self = .double(d)
        default: return nil
        }
    }

    /// -1, 0 or 1 as `self` is less than, equal to or greater than `other`.
    func compare(to other: SchemaNumber) -> Int {
        switch (self, other) {
        case (.integer(let a), .integer(let b)): a < b ? -1 : (a == b ? 0 : 1)
        case (.double(let a), .double(let b)): a < b ? -1 : (a == b ? 0 : 1)
        case (.integer(let a), .double(let b)): Self.compare(a, b)
        case (.double(let a), .integer(let b)): -Self.compare(b, a)
        }
    }

    /// Compares an integer with a double without losing the integer's low bits.
    private static func compare(_ integer: Int64, _ double: Double) -> Int {
        // 2^63 is exactly representable; anything at or beyond it is outside Int64.
        if double >= 9_223_372_036_854_775_808.0 { return -1 }
        if double < -9_223_372_036_854_775_808.0 { return 1 }
        let floor = double.rounded(.down)
        let whole = Int64(floor)
        if integer < whole { return -1 }
        if integer > whole { return 1 }
        return double > floor ? -1 : 0
    }

    /// The number as a reader expects it: `3`, `2.5`, `1e+308`.
    var text: String {
        switch self {
        case .integer(let i):
            return String(i)
        case .double(let d):
            if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
            return d.description
        }
    }
}
