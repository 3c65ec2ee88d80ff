import DryadCore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Token buckets per principal; over the limit is 429 with `Retry-After`, audited as a denial.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = DryadContext
    let database: DryadDatabase
    let limiter: RateLimiter
    let defaultLimit: RateLimit
    let metrics: ServerMetrics

    func handle(_ request: Request, context: DryadContext, next: (Request, DryadContext) async throws -> Response) async throws -> Response {
        guard let principal = context.principal else { return try await next(request, context) }
        // The token check already read the principal's limit; no second read per request.
        let limit = principal.rateLimit ?? defaultLimit
        if let wait = limiter.acquire(principal.name, limit: limit) {
            metrics.rateLimited()
            try await database.recordRateLimit(principal, resource: "\(request.method.rawValue) \(request.uri.path)")
            throw Problem(
                status: .tooManyRequests, code: "rate_limited", detail: "rate limit exceeded; retry later",
                headers: [.retryAfter: String(RateLimiter.retryAfter(wait))])
        }
        return try await next(request, context)
    }
}
