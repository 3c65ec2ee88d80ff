import Foundation

/// RFC 3339 UTC timestamps with milliseconds, the one time format dryad stores and prints.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Formats a date as `2026-11-26T10:22:02.123Z`, to the nearest millisecond.
    public static func format(_ date: Date) -> String {
        // Foundation truncates the fraction, and a parsed ".123" is the double just below
        // 0.123, so a parsed time printed as ".122" and `--since` let in one millisecond too
        // early. Round to the millisecond, then sit a fraction of it above so truncation keeps it.
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        return style.format(Date(timeIntervalSince1970: milliseconds / 1000 + 0.000_2))
    }

    /// Parses an RFC 3339 timestamp (fractional seconds optional, any offset).
    public static func parse(_ text: String) -> Date? {
        // RFC 3339 (section 5.6) allows a lower-case "t" and "z"; Foundation's parser does not.
        let text = text.contains(where: { $0 == "t" || $0 == "z" }) ? text.uppercased() : text
        // Foundation rolls 25:00 or November 31 over into the next day instead of refusing them.
        guard isWellFormed(Array(text.utf8)) else { return nil }
        if let date = try? style.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with every field in range (days per month, leap years).
    static func isWellFormed(_ b: [UInt8]) -> Bool {
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var value = 0
            for i in range {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 20, let year = number(0..<4), b[4] == UInt8(ascii: "-"), let month = number(5..<7), b[7] == UInt8(ascii: "-"),
            let day = number(8..<10), b[10] == UInt8(ascii: "T"), let hour = number(11..<13), b[13] == UInt8(ascii: ":"),
            let minute = number(14..<16), b[16] == UInt8(ascii: ":"), let second = number(17..<19)
        else { return false }
        var i = 19
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let digits = i
            while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
            guard i > digits else { return false }
        }
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "Z") {
            guard i + 1 == b.count else { return false }
        } else {
            guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b.count == i + 6, let offsetHours = number(i + 1..<i + 3),
                b[i + 3] == UInt8(ascii: ":"), let offsetMinutes = number(i + 4..<i + 6), offsetHours <= 23, offsetMinutes <= 59
            else { return false }
        }
        guard (1...12).contains(month), hour <= 23, minute <= 59, second <= 60 else { return false }  // 60: a leap second
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}
