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
    public var defaultLimit: RateLimiter.Limit
    public var logFormat: String
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
    public var tokenFailureLimit: RateLimiter.Limit

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBody: Int = 1024 * 1024,
        defaultLimit: RateLimiter.Limit = RateLimiter.Limit(rate: 50, burst: 100), logFormat: String = "text",
        environment: [String: String] = [:], tlsCertificatePath: String? = nil, tlsKeyPath: String? = nil,
        idleTimeout: Duration = .seconds(60), requestReadTimeout: Duration = .seconds(60), maxConnections: Int? = nil,
        tokenFailureLimit: RateLimiter.Limit = RateLimiter.Limit(rate: 1, burst: 20)
    ) {
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

/// Makes the server's event loops Swift concurrency's global executor, so a request's handler
/// runs on the thread that read it instead of hopping to another pool and back (on two cores
/// this was a fifth of a read's cost). This is what SwiftNIO's
/// `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor` does; its symbol
/// lookup fails in a `--static-swift-stdlib` binary, so the hook's address comes from a C
/// reference instead. Call once, before the server starts; `dryad serve` does.
/// Returns false when another hook is already installed (then nothing changes).
@discardableResult
public func runHandlersOnEventLoops() -> Bool {
    typealias EnqueueGlobal = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void
    return withUnsafeTemporaryAllocation(of: EnqueueGlobal.self, capacity: 1) { buffer in
        guard let slot = buffer.baseAddress else { return false }
        // `any()` stays on the current loop when called from one: no thread switch.
        slot.initialize(to: { job, _ in MultiThreadedEventLoopGroup.singleton.any().executor.enqueue(ExecutorJob(job)) })
        return slot.withMemoryRebound(to: UnsafeRawPointer.self, capacity: 1) { dryad_install_enqueue_global_hook($0.pointee) }
    }
}

/// The routes of the REST API, for the OpenAPI document and its test.
public func apiRoutes(database: DryadDatabase, configuration: ServerConfiguration = ServerConfiguration()) -> [(method: String, path: String)] {
    buildRouter(database: database, configuration: configuration).1.specs.map { ($0.method.rawValue, $0.path) }
}

/// Hummingbird's own log, warnings and errors only: its informational lines ("server started")
/// are not in the access-log format and broke `--log-format json`; `serve` prints its address itself.
private let frameworkLogger: Logger = {
    var logger = Logger(label: "dryad")
    logger.logLevel = .warning
    return logger
}()

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
    let (router, _) = buildRouter(database: database, configuration: configuration)
    let readLimit = TimeAmount.nanoseconds(Int64(configuration.requestReadTimeout / .nanoseconds(1)))
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [RequestReadDeadline(limit: readLimit)],
        idleTimeout: .nanoseconds(Int64(configuration.idleTimeout / .nanoseconds(1))))
    var server = HTTPServerBuilder.http1(configuration: http1)
    if let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
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
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: frameworkLogger)
}

/// The process's limit on open files, which connections, SQLite and tool runs share.
enum DescriptorLimit {
    /// Kept for SQLite (the file, its WAL and shared memory per connection, temporary files) and tool runs (three pipes each).
    static let reserve = 256

    /// The soft limit on open files. Not raised here: tool runs inherit it, and some programs
    /// close every descriptor up to the limit when they start.
    static func current() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }
}

func buildRouter(database: DryadDatabase, configuration: ServerConfiguration) -> (Router<DryadContext>, RouteTable) {
    let metrics = ServerMetrics()
    let router = Router(context: DryadContext.self)
    router.add(middleware: EdgeMiddleware(log: AccessLog(format: AccessLog.Format(rawValue: configuration.logFormat) ?? .text), metrics: metrics))
    var table = RouteTable()

    table.add(.get, "healthz", "The process is up.", on: router) { _, _ in
        Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
    }
    table.add(.get, "readyz", "The database answers.", on: router) { _, _ in
        let ready = await database.isReady()
        return Response(status: ready ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "database unavailable\n")))
    }
    table.add(.get, "metrics", "Prometheus metrics.", on: router) { _, _ in
        let text = metrics.text(readCache: database.readCacheLookups)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    let api = router.group("api/v1")
    let open = api.group()
    let secured = api.group()
        .add(middleware: AuthMiddleware(database: database, failures: RateLimiter(), failureLimit: configuration.tokenFailureLimit, metrics: metrics))
        .add(middleware: RateLimitMiddleware(database: database, limiter: RateLimiter(), defaultLimit: configuration.defaultLimit, metrics: metrics))
    ToolsController(database: database, environment: configuration.environment, maxBody: configuration.maxBody, metrics: metrics)
        .addRoutes(to: secured, table: &table)
    MemoryController(database: database, maxBody: configuration.maxBody).addRoutes(to: secured, table: &table)
    AdminController(database: database, maxBody: configuration.maxBody).addRoutes(to: secured, table: &table)

    let document = OpenAPIDocument.make(
        routes: table.specs + [
            RouteSpec(method: .get, path: "/api/v1/openapi.json", summary: "This document.", authenticated: false, requestBody: nil, query: [])
        ])
    table.add(.get, "openapi.json", "This document.", on: open, authenticated: false) { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: document)))
    }
    return (router, table)
}
