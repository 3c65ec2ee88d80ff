import DryadCore
import Foundation
import Hummingbird

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
