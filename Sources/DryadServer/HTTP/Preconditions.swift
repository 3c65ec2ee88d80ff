import DryadCore
import Foundation
import Hummingbird

/// `If-Match` (RFC 9110 §13.1.1) as the revisions or versions a change may be made against.
///
/// Nil when absent, empty, or `*` (any current representation: a resource that does not exist
/// is 404 before any precondition is looked at, §13.2.2). Entity tags compare strongly, so a
/// weak `W/"3"` matches nothing, nor does a tag this server never makes; a list of only such
/// tags is an empty set, which no current number matches (412).
func ifMatch(_ request: Request) -> ExpectedNumbers? {
    let header = request.headers[values: .ifMatch].joined(separator: ",")
    let trimmed = header.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty, trimmed != "*" else { return nil }
    var numbers: Set<Int> = []
    for tag in trimmed.split(separator: ",") {
        let tag = tag.trimmingCharacters(in: .whitespaces)
        // Exactly the digits this server writes: `"+3"` and `"03"` are other tags.
        let digits = tag.dropFirst().dropLast()
        guard tag.count >= 3, tag.hasPrefix("\""), tag.hasSuffix("\""), let number = Int(digits), number >= 0, digits == String(number) else {
            continue
        }
        numbers.insert(number)
    }
    return ExpectedNumbers(numbers)
}

/// Reads a conditional request's content with `read`; when that fails and the request carries
/// `If-Match`, `check` (the precondition alone, one core read) answers first, since a stale
/// precondition is 412 whatever the content (RFC 9110 §13.2.2).
func preconditionFirst<T>(_ request: Request, check: () async throws -> Void, _ read: () async throws -> T) async throws -> T {
    do {
        return try await read()
    } catch {
        if ifMatch(request) != nil { try await check() }
        throw error
    }
}

/// The ETag for a revision or version number (or another entity tag), and the Location of a
/// created resource.
func etag(_ value: some CustomStringConvertible, location: String? = nil) -> HTTPFields {
    var fields: HTTPFields = [.eTag: "\"\(value)\""]
    if let location { fields[.location] = location }
    return fields
}

/// 304 Not Modified when the request's `If-None-Match` names `entityTag` (or is `*`), else nil
/// (RFC 9110 §13.1.2: weak comparison, so `W/"3"` matches `"3"`).
func notModified(_ request: Request, entityTag: some CustomStringConvertible) -> Response? {
    let header = request.headers[values: .ifNoneMatch].joined(separator: ",").trimmingCharacters(in: .whitespaces)
    guard !header.isEmpty else { return nil }
    let current = "\"\(entityTag)\""
    let matches =
        header == "*"
        || header.split(separator: ",").contains { tag in
            let tag = tag.trimmingCharacters(in: .whitespaces)
            return (tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag) == current
        }
    return matches ? Response(status: .notModified, headers: [.eTag: current]) : nil
}
