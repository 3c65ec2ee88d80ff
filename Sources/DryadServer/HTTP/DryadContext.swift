import DryadCore
import Hummingbird
import NIOCore

/// The per-request context: who is acting and the request id the audit trail records.
public struct DryadContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection, for the client's address (read only when a token fails).
    private let channel: any Channel
    /// Set by `AuthMiddleware` once the bearer token is verified.
    public var principal: Principal?
    /// From `X-Request-Id`, or generated.
    public var requestID: String = ""

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The client's IP address, or "unknown" (a Unix socket, a test channel).
    var clientAddress: String { channel.remoteAddress?.ipAddress ?? "unknown" }

    /// A path parameter, percent-decoded: clients encode `@` in `NAME@VERSION` (and may encode
    /// any character), and the router hands segments over as sent.
    func path(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        guard raw.contains("%") else { return raw }
        guard let decoded = raw.removingPercentEncoding else {
            throw DryadError.invalidInput("\(name): not valid percent-encoding")
        }
        return decoded
    }

    /// The authenticated principal; routes behind `AuthMiddleware` always have one.
    func actor() throws -> Principal {
        guard let principal else { throw DryadError.permissionDenied("invalid token") }
        return principal
    }
}
