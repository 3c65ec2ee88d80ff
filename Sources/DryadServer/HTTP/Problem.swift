import DryadCore
import Foundation
import Hummingbird

/// An RFC 9457 problem: every error response, with the same stable codes as the CLI.
struct Problem: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var detail: String
    var headers: HTTPFields = [:]
    /// Extra members, such as the list of violations.
    var extra: [String: JSONValue] = [:]
    /// What went wrong on the server, for its log only (a storage error names files and paths).
    var serverDetail: String?

    /// Maps a core error to its HTTP status. (401 comes from `AuthMiddleware`, which alone knows
    /// that a refusal was about the token.)
    init(_ error: DryadError) {
        code = error.code
        // Options named by advice are query parameters here: `recursive=true`.
        detail = error.message(spelling: { "\($0)=true" })
        switch error {
        case .notFound: status = .notFound
        case .permissionDenied: status = .forbidden
        case .conflict, .schemaTooNew: status = .conflict
        case .stale: status = .preconditionFailed
        case .invalidInput: status = .unprocessableContent
        case .busy: status = .serviceUnavailable
        case .toolFailed: status = .badGateway
        case .limited(_, let seconds):
            status = .tooManyRequests
            headers[.retryAfter] = String(seconds)
        case .quotaExceeded: status = .conflict
        case .storage(let message):
            status = .internalServerError
            detail = "the server could not read or write its database; its log has the details"
            serverDetail = message
        case .advised(let inner, _):
            status = Problem(inner).status
        }
    }

    init(status: HTTPResponse.Status, code: String, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
    }

    /// 401 with the challenge a bearer-token client expects.
    static func unauthorized(_ detail: String) -> Problem {
        Problem(status: .unauthorized, code: "permission_denied", detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    var response: Response {
        var body: [String: JSONValue] = [
            "type": .string("urn:dryad:problem:\(code)"), "title": .string(status.reasonPhrase),
            "status": .integer(Int64(status.code)), "detail": .string(detail), "code": .string(code),
        ]
        body.merge(extra) { current, _ in current }
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(body).canonicalText)))
    }
}
