import Foundation

/// RFC 3339 UTC timestamps with milliseconds, the one time format dryad stores and prints.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Formats a date as `2026-11-26T10:22:02.123Z`.
    public static func format(_ date: Date) -> String {
        style.format(date)
    }

    /// Parses an RFC 3339 timestamp (fractional seconds optional, any offset).
    public static func parse(_ text: String) -> Date? {
        if let date = try? style.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }
}
