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

    /// An object body's fields, or 422.
    static func object(_ request: Request, maxBytes: Int) async throws -> [String: JSONValue] {
        guard case .object(let fields) = try await body(request, maxBytes: maxBytes) else {
            throw Problem(status: .unprocessableContent, code: "invalid_input", detail: "expected a JSON object")
        }
        return fields
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

/// Typed fields of a JSON object body: absent or null is nil, any other type is a 422 naming the field.
extension [String: JSONValue] {
    /// The field's value, nil when absent or null (null means absent in request bodies).
    func present(_ name: String) -> JSONValue? {
        if case .null? = self[name] { return nil }
        return self[name]
    }

    func string(_ name: String) throws(DryadError) -> String? {
        switch self[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw .invalidInput("\(name): expected a string, got \(other.typeName)")
        }
    }

    func number(_ name: String) throws(DryadError) -> Double? {
        switch self[name] {
        case nil, .null?: return nil
        case let value? where value.doubleValue != nil: return value.doubleValue
        case let other?: throw .invalidInput("\(name): expected a number, got \(other.typeName)")
        }
    }

    /// A whole number that fits an `Int` (`2.0` counts as one).
    func integer(_ name: String) throws(DryadError) -> Int? {
        guard let number = try number(name) else { return nil }
        guard let value = Int(exactly: number) else { throw .invalidInput("\(name): expected a whole number, got \(number)") }
        return value
    }

    func strings(_ name: String) throws(DryadError) -> [String]? {
        switch self[name] {
        case nil, .null?: return nil
        case .array(let items)? where items.allSatisfy({ $0.stringValue != nil }): return items.compactMap(\.stringValue)
        case let other?: throw .invalidInput("\(name): expected an array of strings, got \(other.typeName)")
        }
    }
}
