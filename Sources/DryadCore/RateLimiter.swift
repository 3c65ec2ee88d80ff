import Foundation
import Synchronization

/// Token buckets per principal: `rate` tokens per second refill up to `burst`; a request
/// takes one. Kept in memory by the one `dryad serve` process that enforces it.
public final class RateLimiter: Sendable {
    /// A principal's limit.
    public struct Limit: Sendable, Hashable {
        public var rate: Double
        public var burst: Int

        public init(rate: Double, burst: Int) {
            self.rate = rate
            self.burst = burst
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    /// Takes one token from `key`'s bucket. Returns nil when allowed, or how many seconds to wait
    /// (for `Retry-After`) when the bucket is empty.
    public func acquire(_ key: String, limit: Limit) -> TimeInterval? {
        let now = clock()
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit.burst), updated: now)
            let elapsed = max(0, now.timeIntervalSince(bucket.updated))
            bucket.tokens = min(Double(limit.burst), bucket.tokens + elapsed * limit.rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / limit.rate
        }
    }
}
