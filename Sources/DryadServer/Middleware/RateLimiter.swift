import DryadCore
import Foundation
import Synchronization

/// Token buckets per principal: `rate` tokens per second refill up to `burst`; a request
/// takes one. Kept in memory by the one `dryad serve` process that enforces it.
public final class RateLimiter: Sendable {
    /// Whole seconds for `Retry-After`: at least 1, at most a day, whatever a stored limit says.
    public static func retryAfter(_ wait: TimeInterval) -> Int {
        guard wait.isFinite else { return 86_400 }
        return Int(min(max(wait.rounded(.up), 1), 86_400))
    }

    /// One key's tokens as of `updated`, and when they will be back to the burst.
    private struct Bucket {
        var tokens: Double
        var updated: Date
        /// From then on the bucket is the same as no bucket, so it can be dropped.
        var full: Date
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    /// Buckets kept at most (keys can come from clients' addresses). Reaching it drops the
    /// refilled buckets, then those nearest to refilled, down to half: memory stays bounded and
    /// the sweep runs once per `maxBuckets / 2` new keys, not once per key.
    static let maxBuckets = 10_000

    /// How many keys have a bucket (for tests).
    var count: Int { buckets.withLock { $0.count } }

    /// Takes one token from `key`'s bucket. Returns nil when allowed, or how many seconds to wait
    /// (for `Retry-After`) when the bucket is empty.
    public func acquire(_ key: String, limit: RateLimit) -> TimeInterval? {
        take(key, limit: limit, consume: true)
    }

    /// How long until `key`'s bucket has a token (nil: it has one now), without taking it.
    public func wait(for key: String, limit: RateLimit) -> TimeInterval? {
        take(key, limit: limit, consume: false)
    }

    private func take(_ key: String, limit: RateLimit, consume: Bool) -> TimeInterval? {
        let now = clock()
        return buckets.withLock { buckets in
            // A key never charged has a full bucket; looking must not create one.
            if !consume && buckets[key] == nil { return nil }
            if buckets[key] == nil && buckets.count >= Self.maxBuckets {
                Self.sweep(&buckets, now: now)
            }
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit.burst), updated: now, full: now)
            let elapsed = max(0, now.timeIntervalSince(bucket.updated))
            bucket.tokens = min(Double(limit.burst), bucket.tokens + elapsed * limit.rate)
            bucket.updated = now
            defer {
                bucket.full = now.addingTimeInterval((Double(limit.burst) - bucket.tokens) / limit.rate)
                buckets[key] = bucket
            }
            if bucket.tokens >= 1 {
                if consume { bucket.tokens -= 1 }
                return nil
            }
            return (1 - bucket.tokens) / limit.rate
        }
    }

    /// Drops refilled buckets, then the ones nearest to refilled, until half the room is free.
    private static func sweep(_ buckets: inout [String: Bucket], now: Date) {
        buckets = buckets.filter { $0.value.full > now }
        let keep = maxBuckets / 2
        guard buckets.count > keep else { return }
        let nearest = buckets.sorted { $0.value.full < $1.value.full }.prefix(buckets.count - keep)
        for (key, _) in nearest { buckets[key] = nil }
    }
}
