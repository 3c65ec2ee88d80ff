/// A principal's request rate: `rate` tokens per second refill a bucket of `burst`; each
/// request takes one. The server enforces it (`RateLimiter`); the core stores and checks it.
public struct RateLimit: Sendable, Hashable {
    public var rate: Double
    public var burst: Int

    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = burst
    }

    /// The range a configured rate may take: below one request per 1,000 s a limit is a
    /// ban in disguise (and 1/rate stops being a sane number of seconds to wait).
    public static let rates: ClosedRange<Double> = 0.001...1_000_000
    public static let bursts: ClosedRange<Int> = 1...1_000_000

    /// A limit from configured values, or why they are refused.
    public static func checked(rate: Double, burst: Double) throws(DryadError) -> RateLimit {
        guard rates.contains(rate) else { throw .invalidInput("rate: must be between 0.001 and 1000000 requests per second") }
        // Checked before converting: Int(1e20) would trap.
        guard burst >= 1, burst <= Double(bursts.upperBound), burst.rounded() == burst else {
            throw .invalidInput("burst: must be a whole number between 1 and 1000000")
        }
        return RateLimit(rate: rate, burst: Int(burst))
    }
}
