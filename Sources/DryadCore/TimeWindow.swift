import Foundation

/// Parses the `--since WHEN` argument: an RFC 3339 time or a duration back from now (`15m`, `2h`, `7d`).
public enum TimeWindow {
    /// The instant `text` names, relative to `now` for durations; `field` names it in errors.
    public static func since(_ text: String, field: String = "since", now: Date = Date()) throws(DryadError) -> Date {
        if let date = Timestamp.parse(text) { return date }
        guard let seconds = duration(text) else {
            throw .invalidInput("\(field): \"\(ToolRules.printable(text))\" is neither an RFC 3339 time nor a duration like 15m, 2h or 7d")
        }
        return now.addingTimeInterval(-seconds)
    }

    /// Seconds in a duration such as `90s`, `15m`, `2h`, `7d` or `1w`; nil when malformed.
    public static func duration(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let count = Int(text.dropLast()), count >= 0, count <= 100_000_000 else { return nil }
        let multiplier: TimeInterval
        switch unit {
        case "s": multiplier = 1
        case "m": multiplier = 60
        case "h": multiplier = 3600
        case "d": multiplier = 86_400
        case "w": multiplier = 604_800
        default: return nil
        }
        return TimeInterval(count) * multiplier
    }
}
