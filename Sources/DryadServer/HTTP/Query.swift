import DryadCore
import Foundation
import Hummingbird

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
        try string(name).map { text throws(DryadError) in try TimeWindow.since(text, field: name) }
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
