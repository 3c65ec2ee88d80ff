import DryadCore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Verifies `Authorization: Bearer <token>` with the core's token rules; 401 otherwise.
///
/// Every failed check is audited, so failures are also counted per client address: past
/// `failureLimit`, a bad token from that address gets 429 and is counted in the metrics instead
/// of audited, so a flood cannot grow the audit trail without bound. Good tokens from the same
/// address still pass: one broken client on a shared address cannot lock the others out.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = DryadContext
    let database: DryadDatabase
    let failures: RateLimiter
    let failureLimit: RateLimit
    let metrics: ServerMetrics

    func handle(_ request: Request, context: DryadContext, next: (Request, DryadContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], let token = Self.bearerToken(header) else {
            throw Problem.unauthorized("missing bearer token")
        }
        var context = context
        let principal: Principal
        let (failures, failureLimit) = (self.failures, self.failureLimit)
        let client = { [context] in context.clientAddress }  // read only when a token fails
        var overLimit = false
        do {
            // Charged when a check fails, not before, so concurrent bad tokens from one address
            // cannot slip past the limit while their checks are in flight.
            principal = try await database.tokenVerifier.verify(token, requestID: context.requestID) {
                let allowed = failures.acquire(client(), limit: failureLimit) == nil
                overLimit = !allowed
                return allowed
            }
        } catch {
            guard case .permissionDenied = error else { throw error }
            guard overLimit else {
                throw Problem.unauthorized(error.message)
            }
            let wait = failures.wait(for: client(), limit: failureLimit) ?? 1
            metrics.rateLimited()
            throw Problem(
                status: .tooManyRequests, code: "rate_limited", detail: "too many invalid tokens from this address; retry later",
                headers: [.retryAfter: String(RateLimiter.retryAfter(wait))])
        }
        context.principal = principal
        do {
            var response = try await next(request, context)
            response.headers[EdgeMiddleware.principalHeader] = principal.name
            return response
        } catch let error as DryadError {
            var problem = Problem(error)
            problem.headers[EdgeMiddleware.principalHeader] = principal.name
            throw problem
        } catch var problem as Problem {
            problem.headers[EdgeMiddleware.principalHeader] = principal.name
            throw problem
        }
    }

    /// The token of an `Authorization: Bearer <token>` value (scheme case-insensitive), without
    /// surrounding blanks; nil for another scheme. Byte-level: this runs on every request.
    static func bearerToken(_ header: String) -> String? {
        let scheme = header.utf8.prefix(7)
        guard scheme.count == 7, String(Substring(scheme)).lowercased() == "bearer " else { return nil }
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        let rest = header.utf8.dropFirst(7).drop(while: isBlank)
        guard let last = rest.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(Substring(rest[...last]))
    }
}
