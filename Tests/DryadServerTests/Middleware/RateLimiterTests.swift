import DryadCore
import Foundation
import Synchronization
import Testing

@testable import DryadServer

@Suite struct RateLimiterTests {
    @Test func burstsThenRefillsAtTheRate() {
        let now = Mutex(Date(timeIntervalSince1970: 0))
        let limiter = RateLimiter(clock: { now.withLock { $0 } })
        let limit = RateLimit(rate: 2, burst: 3)
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
        let limit = RateLimit(rate: 1, burst: 2)
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

    @Test func theMapStaysBoundedDroppingRefilledBucketsFirst() {
        let now = Mutex(Date(timeIntervalSince1970: 0))
        let limiter = RateLimiter(clock: { now.withLock { $0 } })
        let slow = RateLimit(rate: 0.0001, burst: 1)
        let quick = RateLimit(rate: 1, burst: 1)
        // "quick" has refilled by the time the map fills; "busy" is the last to refill.
        #expect(limiter.acquire("quick", limit: quick) == nil)
        now.withLock { $0 = $0.addingTimeInterval(10) }
        for key in 0..<(RateLimiter.maxBuckets - 2) { _ = limiter.acquire("k\(key)", limit: slow) }
        now.withLock { $0 = $0.addingTimeInterval(10) }
        #expect(limiter.acquire("busy", limit: slow) == nil)
        #expect(limiter.count == RateLimiter.maxBuckets)
        _ = limiter.acquire("one more", limit: slow)
        #expect(limiter.count <= RateLimiter.maxBuckets / 2 + 1)
        // Buckets nearest to refilled went first; "busy", furthest from it, is still empty.
        #expect(limiter.acquire("busy", limit: slow) != nil)
        // Thousands more new keys never push the map past the bound.
        for key in 0..<(3 * RateLimiter.maxBuckets) { _ = limiter.acquire("n\(key)", limit: slow) }
        #expect(limiter.count <= RateLimiter.maxBuckets)
    }
}
