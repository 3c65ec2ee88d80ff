import DryadCore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// The outermost layer: request ids, one access-log line per request, and every error turned
/// into a problem response (never a stack trace or SQL).
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = DryadContext
    // Literal, valid header tokens: these initializers cannot fail.
    static let principalHeader = HTTPField.Name("X-Dryad-Principal")!
    static let requestIDHeader = HTTPField.Name("X-Request-Id")!
    let log: AccessLog
    let metrics: ServerMetrics
    let requestIDs = RequestIDGenerator()

    func handle(_ request: Request, context: DryadContext, next: (Request, DryadContext) async throws -> Response) async throws -> Response {
        var context = context
        let supplied = request.headers[Self.requestIDHeader].flatMap { $0.count <= 128 && $0.allSatisfy({ $0.isASCII && !$0.isWhitespace }) ? $0 : nil }
        context.requestID = supplied ?? requestIDs.next()
        let start = ContinuousClock.now
        var response: Response
        var failure: String?
        do {
            response = try await next(request, context)
        } catch let problem as Problem {
            response = problem.response
            failure = problem.serverDetail
        } catch let error as DryadError {
            let problem = Problem(error)
            response = problem.response
            failure = problem.serverDetail
        } catch let error as HTTPError {
            response =
                Problem(
                    status: error.status, code: error.status == .notFound ? "no_route" : "http_error",
                    detail: error.status == .notFound
                        ? "no route for \(request.method.rawValue) \(request.uri.path)" : (error.body ?? error.status.reasonPhrase)
                ).response
        } catch {
            response = Problem(status: .internalServerError, code: "internal", detail: "internal error").response
            failure = String(describing: error)
        }
        response.headers[Self.requestIDHeader] = context.requestID
        // The principal is known only inside the authenticated layer, which passes it out on this header.
        let principal = response.headers[Self.principalHeader]
        response.headers[Self.principalHeader] = nil
        let elapsed = ContinuousClock.now - start
        log.write(request: request, status: response.status.code, elapsed: elapsed, principal: principal, requestID: context.requestID, error: failure)
        metrics.record(method: request.method.rawValue, path: context.endpointPath ?? "unmatched", status: response.status.code, elapsed: elapsed)
        return response
    }
}

/// Request ids shaped like lower-case UUIDs: a random half chosen at start-up and a counter
/// half, so they are unique across the process's life and cheap to make (a `UUID` per request
/// cost a random read and a lower-casing).
final class RequestIDGenerator: Sendable {
    private let base = UInt64.random(in: .min ... .max)
    private let counter = Atomic<UInt64>(0)

    func next() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        var text = [UInt8]()
        text.reserveCapacity(36)
        func hex(_ value: UInt64, digits: Int) {
            for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                text.append(Self.digits[Int((value >> UInt64(shift)) & 0xF)])
            }
        }
        hex(base >> 32, digits: 8)
        text.append(UInt8(ascii: "-"))
        hex(base >> 16, digits: 4)
        text.append(UInt8(ascii: "-"))
        hex(base, digits: 4)
        text.append(UInt8(ascii: "-"))
        hex(count >> 48, digits: 4)
        text.append(UInt8(ascii: "-"))
        hex(count, digits: 12)
        return String(decoding: text, as: UTF8.self)
    }

    private static let digits = Array("0123456789abcdef".utf8)
}

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
    let failureLimit: RateLimiter.Limit
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
            principal = try await database.tokens.verify(token, requestID: context.requestID) {
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

/// Token buckets per principal; over the limit is 429 with `Retry-After`, audited as a denial.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = DryadContext
    let database: DryadDatabase
    let limiter: RateLimiter
    let defaultLimit: RateLimiter.Limit
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

/// One line per request on stderr: method, path, status, duration, principal, request id, and
/// for a server-side failure what went wrong (the client only gets a generic problem).
struct AccessLog: Sendable {
    /// `--log-format`: a line of text or a JSON object per request.
    enum Format: String, Sendable { case text, json }
    let format: Format

    func write(request: Request, status: Int, elapsed: Duration, principal: String?, requestID: String, error: String? = nil) {
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let tenths = Int((ms * 10).rounded())
        let line: String
        switch format {
        case .text:
            // Interpolation rather than String(format:), which goes through Foundation's printf.
            let failure = error.map { " error=" + JSONValue.string($0).canonicalText } ?? ""
            line = "\(request.method.rawValue) \(request.uri.path) \(status) \(tenths / 10).\(tenths % 10)ms \(principal ?? "-") \(requestID)\(failure)\n"
        case .json:
            var fields: [String: JSONValue] = [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path), "status": .integer(Int64(status)),
                "duration_ms": .number(Double(tenths) / 10), "principal": principal.map(JSONValue.string) ?? .null,
                "request_id": .string(requestID),
            ]
            if let error { fields["error"] = .string(error) }
            line = JSONValue.object(fields).canonicalText + "\n"
        }
        // One write(2) per line, errors ignored: a log that cannot be written must not fail the
        // request, and FileHandle's non-throwing write traps when stderr is a closed pipe.
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { raw in Foundation.write(STDERR_FILENO, raw.baseAddress, raw.count) }
    }
}
