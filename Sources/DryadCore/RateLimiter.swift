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

    /// One key's tokens as of `updated`.
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    /// Buckets kept before idle ones are dropped (keys can come from clients' addresses).
    static let maxBuckets = 10_000
    /// A bucket untouched this long is dropped when there are too many.
    static let maxIdle: TimeInterval = 600

    /// Takes one token from `key`'s bucket. Returns nil when allowed, or how many seconds to wait
    /// (for `Retry-After`) when the bucket is empty.
    public func acquire(_ key: String, limit: Limit) -> TimeInterval? {
        take(key, limit: limit, consume: true)
    }

    /// How long until `key`'s bucket has a token (nil: it has one now), without taking it.
    public func wait(for key: String, limit: Limit) -> TimeInterval? {
        take(key, limit: limit, consume: false)
    }

    private func take(_ key: String, limit: Limit, consume: Bool) -> TimeInterval? {
        let now = clock()
        return buckets.withLock { buckets in
            // A key never charged has a full bucket; looking must not create one.
            if !consume && buckets[key] == nil { return nil }
            if buckets[key] == nil && buckets.count >= Self.maxBuckets {
                buckets = buckets.filter { now.timeIntervalSince($0.value.updated) < Self.maxIdle }
            }
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit.burst), updated: now)
            let elapsed = max(0, now.timeIntervalSince(bucket.updated))
            bucket.tokens = min(Double(limit.burst), bucket.tokens + elapsed * limit.rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                if consume { bucket.tokens -= 1 }
                return nil
            }
            return (1 - bucket.tokens) / limit.rate
        }
    }
}
