import Foundation
import Synchronization
import Testing

@testable import DryadCore

@Suite struct RateLimiterTests {
    @Test func burstsThenRefillsAtTheRate() {
        let now = Mutex(Date(timeIntervalSince1970: 0))
        let limiter = RateLimiter(clock: { now.withLock { $0 } })
        let limit = RateLimiter.Limit(rate: 2, burst: 3)
        for _ in 0..<3 { #expect(limiter.acquire("a", limit: limit) == nil) }
        let wait = limiter.acquire("a", limit: limit)
        #expect(wait == 0.5)
        // Another principal has its own bucket.
        #expect(limiter.acquire("b", limit: limit) == nil)
        now.withLock { $0 = $0.addingTimeInterval(0.5) }
        #expect(limiter.acquire("a", limit: limit) == nil)
        #expect(limiter.acquire("a", limit: limit) != nil)
        // Refill never exceeds the burst.
        now.withLock { $0 = $0.addingTimeInterval(100) }
        for _ in 0..<3 { #expect(limiter.acquire("a", limit: limit) == nil) }
        #expect(limiter.acquire("a", limit: limit) != nil)
    }

    @Test func lookingTakesNothing() {
        let now = Mutex(Date(timeIntervalSince1970: 0))
        let limiter = RateLimiter(clock: { now.withLock { $0 } })
        let limit = RateLimiter.Limit(rate: 1, burst: 2)
        #expect(limiter.wait(for: "a", limit: limit) == nil)
        #expect(limiter.wait(for: "a", limit: limit) == nil)
        #expect(limiter.acquire("a", limit: limit) == nil)
        #expect(limiter.wait(for: "a", limit: limit) == nil)
        #expect(limiter.acquire("a", limit: limit) == nil)
        #expect(limiter.wait(for: "a", limit: limit) == 1)
        now.withLock { $0 = $0.addingTimeInterval(1) }
        #expect(limiter.wait(for: "a", limit: limit) == nil)
        #expect(limiter.acquire("a", limit: limit) == nil)
    }

    @Test func idleBucketsAreDroppedWhenThereAreTooMany() {
        let now = Mutex(Date(timeIntervalSince1970: 0))
        let limiter = RateLimiter(clock: { now.withLock { $0 } })
        let limit = RateLimiter.Limit(rate: 0.0001, burst: 1)
        _ = limiter.acquire("old", limit: limit)
        #expect(limiter.acquire("old", limit: limit) != nil)
        now.withLock { $0 = $0.addingTimeInterval(RateLimiter.maxIdle + 1) }
        for key in 0..<RateLimiter.maxBuckets { _ = limiter.acquire("k\(key)", limit: limit) }
        // "old" was idle when the map overflowed, so it starts again with a full bucket.
        #expect(limiter.acquire("old", limit: limit) == nil)
        // The fresh ones were kept.
        #expect(limiter.acquire("k1", limit: limit) != nil)
    }
}
