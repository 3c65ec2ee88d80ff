import Foundation

/// Sends the tool input as a JSON body to an HTTP(S) endpoint.
public struct HTTPEndpoint: Sendable, Equatable {
    public var url: String
    public var method: String
    public var headers: [String: String]
    public var timeoutSeconds: Double

    public init(
        url: String, method: String = "POST", headers: [String: String] = [:],
        timeoutSeconds: Double = ToolEndpoint.defaultTimeoutSeconds
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.timeoutSeconds = timeoutSeconds
    }
}

// MARK: - JSON form
