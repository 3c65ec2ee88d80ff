/// The numbers a change may be made against (a tool version's revision, a context's version):
/// `--if-version N` gives one, an `If-Match` header may list several (RFC 9110 §13.1.1), and
/// the change goes ahead when the current number is any of them.
public struct ExpectedNumbers: Sendable, Equatable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var numbers: Set<Int>

    public init(_ numbers: Set<Int>) {
        self.numbers = numbers
    }

    public init(_ number: Int) {
        numbers = [number]
    }

    public init(integerLiteral value: Int) {
        numbers = [value]
    }

    func admits(_ current: Int) -> Bool { numbers.contains(current) }

    /// The one number, when only one was given: what a three-way merge starts from.
    var single: Int? { numbers.count == 1 ? numbers.first : nil }

    /// "3", or "3 or 4" for several (an empty set, which no `If-Match` this server made can
    /// give, reads "none").
    public var description: String {
        let sorted = numbers.sorted().map(String.init)
        switch sorted.count {
        case 0: return "none"
        case 1: return sorted[0]
        default: return sorted.dropLast().joined(separator: ", ") + " or " + (sorted.last ?? "")
        }
    }
}
