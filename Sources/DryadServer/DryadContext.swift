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

    /// The authenticated principal; routes behind `AuthMiddleware` always have one.
    func actor() throws -> Principal {
        guard let principal else { throw DryadError.permissionDenied("invalid token") }
        return principal
    }
}
