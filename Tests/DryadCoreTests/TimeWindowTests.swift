import DryadCore
import Foundation
import Testing

/// `--since WHEN` and RFC 3339 parsing: absolute times, durations back from now, refusals.
@Suite struct TimeWindowTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [
        ("2026-11-26T10:22:02.123Z", 1_795_688_522.123),
        ("2026-11-26T10:22:02Z", 1_795_688_522.0),
        ("2026-11-26t10:22:02z", 1_795_688_522.0),
        ("2026-11-26T11:22:02+01:00", 1_795_688_522.0),
        ("2026-11-26t05:22:02.5-05:00", 1_795_688_522.5),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0),
    ])
    func rfc3339TimesInEitherCaseAndAnyOffset(text: String, seconds: Double) throws {
        let date = try TimeWindow.since(text, now: now)
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
    }

    /// RFC 3339 allows a leap second (`:60`); it reads as the second after `:59`.
    @Test func leapSecondsAreTimes() throws {
        let date = try TimeWindow.since("2016-12-31T23:59:60Z", now: now)
        #expect(abs(date.timeIntervalSince1970 - 1_483_228_800) <= 1)
    }

    @Test(arguments: [("90s", 90.0), ("15m", 900.0), ("2h", 7200.0), ("7d", 604_800.0), ("1w", 604_800.0), ("0s", 0.0)])
    func durationsCountBackFromNow(text: String, seconds: Double) throws {
        #expect(try TimeWindow.since(text, now: now) == now.addingTimeInterval(-seconds))
    }

    @Test(arguments: [
        "", "yesterday", "15", "m", "-5m", "1.5h", "2026-11-26", "2026-11-26T10:22:02", "100000001s", "5y",
        // Out of range: Foundation would roll these over into another day.
        "2026-11-27T25:00:00Z", "2026-11-31T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-26T10:60:00Z", "2026-11-26T10:22:61Z", "2026-11-26T10:22:02+24:00",
        "2026-11-26T10:22:02.Z", "2026-11-26T10:22:02Zjunk", "2026-11-26 10:22:02Z",
    ])
    func anythingElseIsInvalidInput(text: String) {
        let error = #expect(throws: DryadError.self) { try TimeWindow.since(text, now: now) }
        #expect(error?.code == "invalid_input")
        #expect(error?.message.hasPrefix("since: ") == true)
        #expect(error?.message.contains("neither an RFC 3339 time nor a duration") == true)
        let named = #expect(throws: DryadError.self) { try TimeWindow.since(text, field: "before", now: now) }
        #expect(named?.message.hasPrefix("before: ") == true)
    }

    @Test(arguments: [
        "2026-11-26T10:22:02.123Z", "2026-11-26T10:22:02.000Z", "2026-11-26T10:22:02.999Z", "1970-01-01T00:00:00.001Z",
        "2099-12-31T23:59:59.999Z",
    ])
    func parsedTimestampsPrintAsWritten(text: String) throws {
        // A parsed ".123" is the double just below 0.123; printing it must not truncate to ".122".
        #expect(Timestamp.format(try #require(Timestamp.parse(text))) == text)
    }

    @Test func formatRoundsToTheNearestMillisecond() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_688_522.1234)) == "2026-11-26T10:22:02.123Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_688_522.1236)) == "2026-11-26T10:22:02.124Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_688_522.9996)) == "2026-11-26T10:22:03.000Z")
    }
}
