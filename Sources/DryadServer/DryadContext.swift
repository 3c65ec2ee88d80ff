import DryadCore
import Hummingbird

/// The per-request context: who is acting and the request id the audit trail records.
public struct DryadContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` once the bearer token is verified.
    public var principal: Principal?
    /// From `X-Request-Id`, or generated.
    public var requestID: String = ""

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// The authenticated principal; routes behind `AuthMiddleware` always have one.
    func actor() throws -> Principal {
        guard let principal else { throw DryadError.permissionDenied("invalid token") }
        return principal
    }
}
