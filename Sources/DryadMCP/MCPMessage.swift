import DryadCore
import Foundation

/// One JSON-RPC 2.0 message as MCP carries it: a request (has an id, wants an answer), a
/// notification (no id), or a client's answer to a server request (dryad sends none, so
/// answers are read and dropped).
public enum MCPMessage: Sendable, Equatable {
    case request(id: JSONValue, method: String, params: JSONValue)
    case notification(method: String, params: JSONValue)
    case response(id: JSONValue)

    /// The most bytes one message may hold: a tool's input is at most 1 MiB
    /// (`ToolRunner.maxInputBytes`), and its envelope and escaping need room beside it.
    public static let maxBytes = 2 * 1024 * 1024

    /// Reads one message; a malformed one is the JSON-RPC error to answer with (its id, when one
    /// could be read, so the client can match the error to its request).
    public static func parse(_ data: Data) -> Result<MCPMessage, MCPFailure> {
        guard data.count <= maxBytes else {
            return .failure(MCPFailure(code: .invalidRequest, message: "message larger than \(maxBytes / 1024 / 1024) MiB"))
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch {
            return .failure(MCPFailure(code: .parseError, message: error.message))
        }
        return read(value)
    }

    /// Reads a parsed message (also one element of a JSON-RPC batch, which 2025-03-26 allowed).
    public static func read(_ value: JSONValue) -> Result<MCPMessage, MCPFailure> {
        guard case .object(let fields) = value else {
            return .failure(MCPFailure(code: .invalidRequest, message: "a message must be a JSON object"))
        }
        let id = fields["id"]
        if let id, !isValidID(id) {
            return .failure(MCPFailure(code: .invalidRequest, message: "id: must be a string or an integer"))
        }
        guard fields["jsonrpc"] == .string("2.0") else {
            return .failure(MCPFailure(code: .invalidRequest, message: "jsonrpc: must be \"2.0\"", id: id))
        }
        guard case .string(let method)? = fields["method"] else {
            if let id, fields["result"] != nil || fields["error"] != nil { return .success(.response(id: id)) }
            return .failure(MCPFailure(code: .invalidRequest, message: "method: required", id: id))
        }
        let params = fields["params"] ?? .object([:])
        guard case .object = params else {
            return .failure(MCPFailure(code: .invalidParams, message: "params: must be an object", id: id))
        }
        if let id { return .success(.request(id: id, method: method, params: params)) }
        return .success(.notification(method: method, params: params))
    }

    private static func isValidID(_ id: JSONValue) -> Bool {
        switch id {
        case .string, .integer: true
        default: false
        }
    }

    /// A result message for the request `id`.
    public static func result(id: JSONValue, _ result: JSONValue) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": id, "result": result])
    }

    /// A notification from the server.
    public static func notification(_ method: String, _ params: JSONValue) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "method": .string(method), "params": params])
    }

    /// A message as the bytes sent on the wire, without a line break.
    public static func encode(_ message: JSONValue) -> [UInt8] {
        // A JSONValue always encodes: every case maps to a JSON type, and its doubles are finite.
        (try? JSONStreamEncoder.encode(message)) ?? Array("null".utf8)
    }
}
