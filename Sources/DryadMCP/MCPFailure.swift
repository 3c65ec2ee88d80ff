import DryadCore

/// A JSON-RPC error answer: the protocol's code, a one-line message and dryad's own error code
/// in `data.code` (the REST API's `code`), so a client can tell a quota from a conflict.
public struct MCPFailure: Error, Sendable, Equatable {
    /// The JSON-RPC and MCP error codes dryad answers with.
    public enum Code: Int64, Sendable {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case internalError = -32603
        /// MCP's code for a resource that does not exist (or that the caller may not read).
        case resourceNotFound = -32002
        /// The stateless revision's: the request names a revision the server does not speak.
        case unsupportedVersion = -32022
        /// dryad's own range (-32000 to -32099 is the implementation's): refused by a rule.
        case refused = -32001
    }

    public var code: Code
    public var message: String
    /// The request's id, when the failure answers one.
    public var id: JSONValue?
    /// dryad's error code (`not_found`, `quota_exceeded` …) and, for limits, `retry_after`.
    public var data: [String: JSONValue] = [:]

    public init(code: Code, message: String, id: JSONValue? = nil, data: [String: JSONValue] = [:]) {
        self.code = code
        self.message = message
        self.id = id
        self.data = data
    }

    /// A core error as a JSON-RPC error: bad input is the caller's (-32602), the rest are refusals
    /// with dryad's code beside them.
    init(_ error: DryadError, id: JSONValue? = nil) {
        var data: [String: JSONValue] = ["code": .string(error.code)]
        let code: Code
        switch error.unadvised {
        case .invalidInput: code = .invalidParams
        case .storage, .schemaTooNew: code = .internalError
        case .limited(_, let seconds):
            code = .refused
            data["retry_after"] = .integer(Int64(seconds))
        default: code = .refused
        }
        self.init(code: code, message: Self.clientMessage(error), id: id, data: data)
    }

    /// What a client is told of a core error: its message, except for storage failures, whose
    /// messages name the database file (the REST API keeps those for its log as well).
    static func clientMessage(_ error: DryadError) -> String {
        switch error.unadvised {
        case .storage, .schemaTooNew: "dryad could not read or write its database; the operator can find out why with dryad db check"
        default: error.message
        }
    }

    /// The error message on the wire; `id` null when the request's id could not be read.
    public var json: JSONValue {
        var error: [String: JSONValue] = ["code": .integer(code.rawValue), "message": .string(message)]
        if !data.isEmpty { error["data"] = .object(data) }
        return .object(["jsonrpc": .string("2.0"), "id": id ?? .null, "error": .object(error)])
    }
}

extension DryadError {
    /// The error without its advice, to match on its kind.
    var unadvised: DryadError {
        if case .advised(let error, _) = self { return error.unadvised }
        return self
    }
}
