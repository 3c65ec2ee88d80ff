import Foundation

/// Every failure the core reports; the CLI maps it to exit codes, the server to HTTP problems.
public enum DryadError: LocalizedError, Equatable, Sendable {
    /// The named resource does not exist (or the caller may not see it).
    case notFound(String)
    /// The acting principal may not perform the operation.
    case permissionDenied(String)
    /// The resource exists already, a revision is stale, or its state forbids the operation.
    case conflict(String)
    /// A version or revision precondition (`--if-revision`, `If-Match`) no longer holds.
    case stale(String)
    /// The database was written by a newer dryad and cannot be used by this one.
    case schemaTooNew(found: Int, supported: Int)
    /// Input data is malformed or has bad field values.
    case invalidInput(String)
    /// The database stayed locked by another writer for longer than the busy timeout.
    case busy(String)
    /// A tool ran and failed.
    case toolFailed(String)
    /// Too much is in progress for this caller or this process right now; try again after
    /// `retryAfterSeconds` (HTTP 429 with `Retry-After`).
    case limited(String, retryAfterSeconds: Int)
    /// A principal's storage quota (`principals set-quota`) would be exceeded.
    case quotaExceeded(String)
    /// The database file could not be opened, read or written.
    case storage(String)
    /// `error` with advice that names options of the operation, which each interface spells
    /// its own way (`--recursive` on the command line, `recursive=true` over HTTP).
    indirect case advised(DryadError, Advice)

    /// A stable machine-readable code shared by the CLI's JSON errors and the REST API.
    public var code: String {
        switch self {
        case .notFound: "not_found"
        case .permissionDenied: "permission_denied"
        case .conflict, .stale: "conflict"
        case .schemaTooNew: "schema_too_new"
        case .invalidInput: "invalid_input"
        case .busy: "busy"
        case .toolFailed: "tool_failed"
        case .limited: "rate_limited"
        case .quotaExceeded: "quota_exceeded"
        case .storage: "storage_error"
        case .advised(let error, _): error.code
        }
    }

    /// A one-line human-readable description, options spelt as the REST API's parameter names.
    public var message: String { message(spelling: { $0 }) }

    /// The description with every option named by advice spelt by `spelling`.
    public func message(spelling: (String) -> String) -> String {
        switch self {
        case .advised(let error, let advice):
            error.message(spelling: spelling) + ": " + advice.rendered(spelling: spelling)
        case .notFound(let m), .permissionDenied(let m), .conflict(let m), .stale(let m), .invalidInput(let m),
            .busy(let m), .toolFailed(let m), .storage(let m), .limited(let m, _), .quotaExceeded(let m):
            m
        case .schemaTooNew(let found, let supported):
            "database schema version \(found) is newer than this dryad supports (\(supported)); upgrade dryad"
        }
    }
}

extension DryadError: CustomStringConvertible {
    public var description: String { message }
}

extension DryadError {
    /// The one-line message, for code that only knows `Error.localizedDescription`.
    public var errorDescription: String? { message }
}
