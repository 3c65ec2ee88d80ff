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
    let allowed: AllowedMethods
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
            // A path the routes know, asked with another method, is 405 (one lookup, on this path only).
            let methods = error.status == .notFound ? allowed.methods(for: request.uri.path) : []
            if !methods.isEmpty {
                response =
                    Problem(
                        status: .methodNotAllowed, code: "method_not_allowed",
                        detail: "\(request.uri.path) answers \(methods.joined(separator: ", ")), not \(request.method.rawValue)",
                        headers: [.allow: methods.joined(separator: ", ")]
                    ).response
            } else {
                response =
                    Problem(
                        status: error.status, code: error.status == .notFound ? "no_route" : "http_error",
                        detail: error.status == .notFound
                            ? "no route for \(request.method.rawValue) \(request.uri.path)" : (error.body ?? error.status.reasonPhrase)
                    ).response
            }
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
