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
}
