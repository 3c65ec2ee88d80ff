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
        if let date = try? style.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }
}
