import CConcurrencyHook
import DryadCore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// How `dryad serve` runs.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted (413 beyond).
    public var maxBody: Int
    /// Rate limit for principals without their own (`principals set-limit`).
    public var defaultLimit: RateLimit
    public var logFormat: LogFormat
    /// dryad's environment: PATH/HOME/LANG and `${NAME}` in tools' HTTP headers and command env values.
    public var environment: [String: String]
    /// PEM certificate chain and private key; both set means HTTPS.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// A connection that sends nothing for this long is closed, so idle or stalled clients cannot hold sockets forever.
    /// A request head counts as nothing until it is complete, so this also bounds a head sent a byte at a time.
    public var idleTimeout: Duration
    /// A request's body must have arrived this long after its head, or the connection is closed.
    public var requestReadTimeout: Duration
    /// Open connections at most; beyond that the server stops accepting (the kernel queues the rest)
    /// until one closes, so a flood cannot take the file descriptors the database needs. Nil:
    /// 1,000, or fewer when the open-files limit would not leave `DescriptorLimit.reserve`.
    public var maxConnections: Int?
    /// Failed token checks allowed per client address before it gets 429 (refilling at `rate` per second).
    public var tokenFailureLimit: RateLimit
    /// `/metrics`: the server's collectors; open the database with its `factory` to include the core's counts.
    public var metrics: ServerMetrics
    /// `/metrics` without a token (a scraper on a private network); otherwise it needs an admin's.
    public var metricsPublic: Bool

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBody: Int = 1024 * 1024,
        defaultLimit: RateLimit = RateLimit(rate: 50, burst: 100), logFormat: LogFormat = .text,
        environment: [String: String] = [:], tlsCertificatePath: String? = nil, tlsKeyPath: String? = nil,
        idleTimeout: Duration = .seconds(60), requestReadTimeout: Duration = .seconds(60), maxConnections: Int? = nil,
        tokenFailureLimit: RateLimit = RateLimit(rate: 1, burst: 20), metrics: ServerMetrics = ServerMetrics(),
        metricsPublic: Bool = false
    ) {
        self.metrics = metrics
        self.metricsPublic = metricsPublic
        self.host = host
        self.port = port
        self.maxBody = maxBody
        self.defaultLimit = defaultLimit
        self.logFormat = logFormat
        self.environment = environment
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.idleTimeout = idleTimeout
        self.requestReadTimeout = requestReadTimeout
        self.maxConnections = maxConnections
        self.tokenFailureLimit = tokenFailureLimit
    }
}
