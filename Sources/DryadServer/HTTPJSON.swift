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

/// Typed access to query parameters with clear 422s.
struct Query {
    /// Decoded name/value pairs in their order in the URL (a name may repeat: `tag=a&tag=b`).
    let parameters: [(name: String, value: String)]

    init(request: Request) {
        parameters = Query.decode(request.uri.query)
    }

    /// Splits a raw query the way HTML forms and most HTTP clients encode it: `&` between
    /// pairs, `+` for a space, then percent escapes (`%2B` is a literal plus). Hummingbird's
    /// own `queryParameters` leaves `+` alone, so `q=deploy+failed` searched for "deploy+failed".
    static func decode(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (component(parts[0]), parts.count > 1 ? component(parts[1]) : "")
        }
    }

    /// One name or value: `+` to space, then percent-decoded; kept as written when the escapes are malformed.
    private static func component(_ raw: Substring) -> String {
        let spaced = raw.contains("+") ? raw.replacingOccurrences(of: "+", with: " ") : String(raw)
        guard spaced.contains("%") else { return spaced }
        return spaced.removingPercentEncoding ?? spaced
    }

    func string(_ name: String) -> String? {
        parameters.first { $0.name == name && !$0.value.isEmpty }?.value
    }

    func strings(_ name: String) -> [String] {
        parameters.filter { $0.name == name && !$0.value.isEmpty }.map(\.value)
    }

    func int(_ name: String) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text) else { throw Problem(status: .unprocessableContent, code: "invalid_input", detail: "\(name): expected an integer") }
        return value
    }

    func double(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw Problem(status: .unprocessableContent, code: "invalid_input", detail: "\(name): expected a number")
        }
        return value
    }

    func bool(_ name: String) throws -> Bool {
        guard let text = string(name) else { return false }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw Problem(status: .unprocessableContent, code: "invalid_input", detail: "\(name): expected true or false")
        }
    }

    func since(_ name: String = "since") throws -> Date? {
        try string(name).map { text throws(DryadError) in try TimeWindow.since(text) }
    }

    func page() throws -> PageRequest {
        PageRequest(limit: try int("limit") ?? PageRequest.defaultLimit, cursor: string("cursor"))
    }

    func enumValue<T: RawRepresentable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            throw Problem(status: .unprocessableContent, code: "invalid_input", detail: "\(name): unknown value \"\(text)\"")
        }
        return value
    }
}

/// `If-Match: "N"` as a revision or version number.
func ifMatch(_ request: Request) throws -> Int? {
    // An empty header is no precondition, as if it were absent.
    guard let header = request.headers[.ifMatch], !header.allSatisfy(\.isWhitespace) else { return nil }
    let trimmed = header.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))
    guard let value = Int(trimmed) else {
        throw Problem(status: .preconditionFailed, code: "conflict", detail: "If-Match must be an ETag this server returned")
    }
    return value
}

/// The ETag for a revision or version number, and the Location of a created resource.
func etag(_ value: Int, location: String? = nil) -> HTTPFields {
    var fields: HTTPFields = [.eTag: "\"\(value)\""]
    if let location { fields[.location] = location }
    return fields
}
