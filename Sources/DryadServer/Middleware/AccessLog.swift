import DryadCore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

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
