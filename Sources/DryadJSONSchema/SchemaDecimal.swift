import DryadJSON
import Foundation

/// A non-negative decimal `mantissa × 10^exponent`: how `multipleOf` compares numbers.
///
/// Binary floating point cannot hold 0.01 exactly, so `19.99 / 0.01` is not a whole number
/// in doubles. Every double has a shortest decimal text that reads back as the same double
/// (what Swift prints), which is also what the schema author wrote; dividing those decimals
/// exactly gives the answer the author expects.
struct SchemaDecimal: Sendable, Equatable {
    let mantissa: UInt64
    let exponent: Int

    init(mantissa: UInt64, exponent: Int) {
        var mantissa = mantissa
        var exponent = exponent
        // Strip trailing zeros so mantissas stay small and exponents comparable.
        while mantissa != 0, mantissa % 10 == 0 {
            mantissa /= 10
            exponent += 1
        }
        self.mantissa = mantissa
        self.exponent = mantissa == 0 ? 0 : exponent
    }

    /// The magnitude of a JSON number as a decimal; nil for non-numbers and non-finite doubles.
    init?(_ value: JSONValue) {
        switch value {
        case .integer(let i): self.init(mantissa: i.magnitude, exponent: 0)
        case .number(let d): self.init(d)
        default: return nil
        }
    }

    /// The magnitude of a double, read from its shortest round-trip text (`1.5e-08` → 15 × 10^-9).
    init?(_ double: Double) {
        guard double.isFinite else { return nil }
        let text = abs(double).description
        let parts = text.split(separator: "e", maxSplits: 1)
        guard let significand = parts.first else { return nil }
        var exponent = 0
        if parts.count == 2 {
            guard let e = Int(parts[1].hasPrefix("+") ? parts[1].dropFirst() : parts[1]) else { return nil }
            exponent = e
        }
        var digits = Substring()
        if let dot = significand.firstIndex(of: ".") {
            let fraction = significand[significand.index(after: dot)...]
            digits = significand[..<dot] + fraction
            exponent -= fraction.count
        } else {
            digits = significand
        }
        let trimmed = digits.drop(while: { $0 == "0" })
        // A double's shortest text has at most 17 significant digits, well within UInt64.
        guard let mantissa = trimmed.isEmpty ? 0 : UInt64(trimmed) else { return nil }
        self.init(mantissa: mantissa, exponent: exponent)
    }

    /// Whether `self` is a whole multiple of `divisor` (which must not be zero).
    func isMultiple(of divisor: SchemaDecimal) -> Bool {
        if mantissa == 0 { return true }
        guard divisor.mantissa != 0 else { return false }
        if exponent >= divisor.exponent {
            // self = A × 10^k × 10^e and divisor = B × 10^e: is A × 10^k divisible by B?
            // Work modulo B, one power of ten at a time; k is at most a few hundred.
            let b = divisor.mantissa
            var remainder = mantissa % b
            var steps = exponent - divisor.exponent
            while remainder != 0, steps > 0 {
                remainder = b.dividingFullWidth(remainder.multipliedFullWidth(by: 10)).remainder
                steps -= 1
            }
            return remainder == 0
        }
        // self = A × 10^e and divisor = B × 10^j × 10^e: A must be divisible by B × 10^j.
        var scale: UInt64 = 1
        for _ in 0..<(divisor.exponent - exponent) {
            let (next, overflow) = scale.multipliedReportingOverflow(by: 10)
            if overflow { return false }  // B × 10^j exceeds every UInt64, so exceeds A.
            scale = next
        }
        guard mantissa % scale == 0 else { return false }
        return (mantissa / scale) % divisor.mantissa == 0
    }
}
