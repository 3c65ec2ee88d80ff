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
    ])
    func rfc3339TimesInEitherCaseAndAnyOffset(text: String, seconds: Double) throws {
        let date = try TimeWindow.since(text, now: now)
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
    }

    @Test(arguments: [("90s", 90.0), ("15m", 900.0), ("2h", 7200.0), ("7d", 604_800.0), ("1w", 604_800.0), ("0s", 0.0)])
    func durationsCountBackFromNow(text: String, seconds: Double) throws {
        #expect(try TimeWindow.since(text, now: now) == now.addingTimeInterval(-seconds))
    }

    @Test(arguments: ["", "yesterday", "15", "m", "-5m", "1.5h", "2026-11-26", "2026-11-26T10:22:02", "100000001s", "5y"])
    func anythingElseIsInvalidInput(text: String) {
        let error = #expect(throws: DryadError.self) { try TimeWindow.since(text, now: now) }
        #expect(error?.code == "invalid_input")
        #expect(error?.message.contains("neither an RFC 3339 time nor a duration") == true)
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
