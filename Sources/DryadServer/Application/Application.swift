import CConcurrencyHook
import DryadCore
import DryadMCP
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// The routes of the REST API, for the OpenAPI document and its test.
public func apiRoutes(database: DryadDatabase, configuration: ServerConfiguration = ServerConfiguration()) -> [(method: String, path: String)] {
    buildRouter(database: database, configuration: configuration, upstream: nil).1.specs.map { ($0.method.rawValue, $0.path) }
}

/// The server's logger: access records at info, Hummingbird's own lines only from warning up
/// (its informational lines, "server started", are noise beside the access log; `serve` prints
/// its address itself). One handler writes both in the `--log-format` chosen.
func serverLogger(format: LogFormat, level: Logger.Level) -> Logger {
    Logger(label: "dryad") { _ in ServerLogHandler(format: format, level: level) }
}

/// Builds the HTTP application over one database; `dryad serve` and the tests both call this.
/// Fails only when the TLS certificate or key cannot be loaded.
public func buildApplication(
    database: DryadDatabase, configuration: ServerConfiguration = ServerConfiguration(),
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws(DryadError) -> some ApplicationProtocol {
    let descriptors = DescriptorLimit.current()
    let maxConnections = configuration.maxConnections ?? max(1, min(1000, descriptors - DescriptorLimit.reserve))
    if let asked = configuration.maxConnections, asked < 1 || asked + DescriptorLimit.reserve > descriptors {
        throw .invalidInput(
            "max connections \(asked): must be at least 1 and leave \(DescriptorLimit.reserve) of this process's \(descriptors) file descriptors for the database and tool runs (raise the limit with ulimit -n)"
        )
    }
    // One pool for the whole server: an upstream's program or HTTP session serves every caller.
    let upstream = MCPUpstreamPool(database: database, environment: configuration.environment)
    let (router, _) = buildRouter(database: database, configuration: configuration, upstream: upstream)
    let frameworkLogger = serverLogger(format: configuration.logFormat, level: .warning)
    let readLimit = TimeAmount.nanoseconds(Int64(configuration.requestReadTimeout / .nanoseconds(1)))
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [RequestReadDeadline(limit: readLimit)],
        idleTimeout: .nanoseconds(Int64(configuration.idleTimeout / .nanoseconds(1))))
    var server = HTTPServerBuilder.http1(configuration: http1)
    if let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            // TLS 1.0 and 1.1 are deprecated (RFC 8996); NIOSSL's default still accepts them.
            tls.minimumTLSVersion = .tlsv12
            server = try .tls(.http1(configuration: http1), tlsConfiguration: tls)
        } catch {
            throw .invalidInput("cannot load the TLS certificate \(certificate) or key \(key): \(error)")
        }
    }
    return Application(
        router: router, server: server,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "dryad",
            availableConnectionsDelegate: .maximum(maxConnections, logger: frameworkLogger)),
        services: [AuditBatchingService(database: database), UpstreamShutdownService(pool: upstream)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: frameworkLogger)
}

func buildRouter(
    database: DryadDatabase, configuration: ServerConfiguration, upstream: (any UpstreamClient)?
) -> (Router<DryadContext>, RouteTable) {
    let metrics = configuration.metrics
    // HEAD wherever GET works: the router answers it with GET's headers and no body.
    let router = Router(context: DryadContext.self, options: .autoGenerateHeadEndpoints)
    let allowed = AllowedMethods()
    router.add(
        middleware: EdgeMiddleware(
            log: AccessLog(logger: serverLogger(format: configuration.logFormat, level: .info)), metrics: metrics, allowed: allowed))
    var table = RouteTable()

    // One middleware, so a client's failed tokens count alike on /metrics and the API.
    let authentication = AuthMiddleware(database: database, failures: RateLimiter(), failureLimit: configuration.tokenFailureLimit, metrics: metrics)
    ProbesController(database: database, metrics: metrics, metricsPublic: configuration.metricsPublic)
        .addRoutes(to: router, authenticated: router.group().add(middleware: authentication), table: &table)

    let api = router.group("api/v1")
    let open = api.group()
    let secured = api.group()
        .add(middleware: authentication)
        .add(middleware: RateLimitMiddleware(database: database, limiter: RateLimiter(), defaultLimit: configuration.defaultLimit, metrics: metrics))
    ToolsController(database: database, environment: configuration.environment, upstream: upstream, maxBody: configuration.maxBody, metrics: metrics)
        .addRoutes(to: secured, table: &table)
    SessionsController(database: database, maxBody: configuration.maxBody).addRoutes(to: secured, table: &table)
    MemoryController(database: database, maxBody: configuration.maxBody).addRoutes(to: secured, table: &table)
    ErrorsController(database: database, maxBody: configuration.maxBody).addRoutes(to: secured, table: &table)
    AdminController(database: database, maxBody: configuration.maxBody).addRoutes(to: secured, table: &table)

    // MCP beside the REST API, behind the same tokens and rate limits; JSON-RPC, so not in the OpenAPI document.
    let mcp = router.group("mcp")
        .add(middleware: authentication)
        .add(middleware: RateLimitMiddleware(database: database, limiter: RateLimiter(), defaultLimit: configuration.defaultLimit, metrics: metrics))
    MCPController(database: database, environment: configuration.environment, upstream: upstream, serverHost: configuration.host)
        .addRoutes(to: mcp)

    // The web console: public static files that call /api/v1 with the user's token.
    ConsoleController().addRoutes(to: router)

    OpenAPIController(routes: table.specs).addRoutes(to: open, table: &table)
    allowed.fill(from: table.specs)
    return (router, table)
}
