import DryadCore
import Foundation
import Hummingbird

/// Reading JSON bodies and query values, and writing JSON responses in the CLI's shapes.
enum HTTPJSON {
    /// Parses the body as JSON: 415 for another content type, 413 over `maxBytes`, 400 when malformed.
    static func body(_ request: Request, maxBytes: Int, contentTypes: Set<String> = ["application/json"]) async throws -> JSONValue {
        let type = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let type, contentTypes.contains(type) else {
            throw Problem(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                detail: "expected Content-Type \(contentTypes.sorted().joined(separator: " or "))")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw Problem(status: .contentTooLarge, code: "too_large", detail: "request body is larger than \(maxBytes) bytes")
        }
        do {
            return try JSONValue.parse(Data(buffer.readableBytesView))
        } catch {
            throw Problem(status: .badRequest, code: "malformed_json", detail: error.message)
        }
    }

    /// Reads an object body with `read` and refuses (422, naming it) any field `read` did not
    /// ask for, so a misspelt `"ttl"` is an error, not a context that never expires. Fields in
    /// `readOnly` (what the resource's own JSON carries: ids, versions, timestamps) are accepted
    /// and ignored, so a record written out can be sent back. Without `required`, a request with
    /// no Content-Type has no body and reads as `{}`.
    static func fields<T>(
        _ request: Request, maxBytes: Int, readOnly: [String] = [], required: Bool = true, _ read: (inout JSONObjectReader) throws -> T
    ) async throws -> T {
        let body: JSONValue = !required && request.headers[.contentType] == nil ? .object([:]) : try await self.body(request, maxBytes: maxBytes)
        guard case .object = body else {
            throw Problem(status: .unprocessableContent, code: "invalid_input", detail: "expected a JSON object")
        }
        var reader = try JSONObjectReader(body, path: "")
        for field in readOnly { reader.ignore(field) }
        let value = try read(&reader)
        try reader.finish()
        return value
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        // Keys in the order each type writes them (no sorting: key order carries no meaning in
        // JSON, and sorting was half the cost of a listing); the CLI still sorts.
        let bytes = try EncodedJSON(encoding: value).bytes
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func list<T: Encodable & Sendable>(_ items: [T]) throws -> Response {
        try response(Page(items: items, nextCursor: nil))
    }

    static var noContent: Response { Response(status: .noContent) }
}
