import HTTPTypes
import Hummingbird
import Logging

/// One record per request: method, path, status, duration, principal, request id, and for a
/// server-side failure what went wrong (the client only gets a generic problem). Logged through
/// swift-log; `ServerLogHandler` writes it in the chosen format.
struct AccessLog: Sendable {
    /// The message of an access record, which `ServerLogHandler` recognises.
    static let message = "request"
    let logger: Logger

    func write(request: Request, status: Int, elapsed: Duration, principal: String?, requestID: String, error: String? = nil) {
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path), "status": .stringConvertible(status),
            "duration_ms": .stringConvertible((ms * 10).rounded() / 10), "request_id": .string(requestID),
        ]
        if let principal { metadata["principal"] = .string(principal) }
        if let error { metadata["error"] = .string(error) }
        logger.info("\(Self.message)", metadata: metadata)
    }
}
