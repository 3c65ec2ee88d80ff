import Foundation

/// Sends the tool input as a JSON body to an HTTP(S) endpoint.
public struct HTTPEndpoint: Sendable, Equatable {
    public var url: String
    public var method: String
    public var headers: [String: String]
    public var timeoutSeconds: Double
    /// Whether the endpoint may be a loopback, link-local or private address (`PrivateAddress`);
    /// an admin's choice, as the whole executor is.
    public var allowPrivate: Bool

    public init(
        url: String, method: String = "POST", headers: [String: String] = [:],
        timeoutSeconds: Double = ToolEndpoint.defaultTimeoutSeconds, allowPrivate: Bool = false
    ) {
        self.allowPrivate = allowPrivate
        self.url = url
        self.method = method
        self.headers = headers
        self.timeoutSeconds = timeoutSeconds
    }
}

// MARK: - JSON form
