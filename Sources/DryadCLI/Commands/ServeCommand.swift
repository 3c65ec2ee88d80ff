import ArgumentParser
import DryadCore
import DryadServer
import Foundation
import Hummingbird

/// `dryad serve`: the same operations as a REST API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the REST API (all routes under /api/v1 need Authorization: Bearer <token>).")

    @Option(name: .long, help: ArgumentHelp("SQLite database file (default: $DRYAD_DB, else $XDG_DATA_HOME/dryad/dryad.db).", valueName: "path"))
    var db: String?
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one).") var port = 8080
    @Option(help: "Default requests per second per principal.") var rate: Double = 50
    @Option(help: "Default burst per principal.") var burst = 100
    @Option(help: "Largest request body in bytes.") var maxBody = 1024 * 1024
    @Option(help: "Invalid tokens one client address may present at once before it gets 429; one more is allowed each second.")
    var tokenFailureBurst = 20
    @Option(help: "Open connections at most; more wait in the kernel's queue (default: 1000, or the open-files limit minus 256 if lower).")
    var maxConnections: Int?
    @Option(help: "Access log format: text or json.") var logFormat = "text"
    @Option(help: "Audit allowed reads: all (written in batches, at most about 5 ms late) or none.") var auditReads = "all"
    @Option(
        help: ArgumentHelp(
            "MiB for answers of repeated tool pages, searches and resolved contexts, kept until what they read changes (0: off).",
            valueName: "MiB"))
    var readCache = 64
    @Option(help: ArgumentHelp("PEM certificate chain for HTTPS (with --tls-key).", valueName: "pem")) var tlsCert: String?
    @Option(
        help: ArgumentHelp(
            "The key file that seals signing keys and the audit chain (default: $DRYAD_KEY_FILE, else dryad.key beside the database).", valueName: "path"))
    var keyFile: String?
    @Option(help: ArgumentHelp("User contained tools run as when dryad runs as root (default: $DRYAD_TOOL_USER, else nobody).", valueName: "user"))
    var toolUser: String?
    @Option(help: ArgumentHelp("PEM private key for HTTPS (with --tls-cert).", valueName: "pem")) var tlsKey: String?
    @Flag(help: "Serve /metrics without a token, for a scraper on a private network (default: an admin's token is needed).")
    var metricsPublic = false

    func validate() throws {
        guard LogFormat(rawValue: logFormat) != nil else { throw ValidationError("--log-format must be text or json") }
        guard ["all", "none"].contains(auditReads) else { throw ValidationError("--audit-reads must be all or none") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): a port is 1-65535 (or 0 for any free one)") }
        guard maxBody > 0 else { throw ValidationError("--max-body must be at least 1 (bytes)") }
        guard (maxConnections ?? 1) >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard (0...4096).contains(readCache) else { throw ValidationError("--read-cache must be between 0 and 4096 (MiB)") }
        guard (1...100_000).contains(tokenFailureBurst) else { throw ValidationError("--token-failure-burst must be between 1 and 100000") }
        do {
            _ = try RateLimit.checked(rate: rate, burst: Double(burst))
        } catch {
            throw ValidationError("--\(error.message)")
        }
    }

    func run() async throws {
        runHandlersOnEventLoops()
        var environment = ProcessInfo.processInfo.environment
        if let toolUser { environment["DRYAD_TOOL_USER"] = toolUser }
        let metrics = ServerMetrics()
        let database = try DryadDatabase(
            path: try DatabaseLocation.resolve(explicit: db, environment: environment),
            readAudit: auditReads == "none" ? .none : .batched(interval: .milliseconds(5)),
            readCacheBytes: readCache << 20,
            limits: try .from(environment: environment), metrics: metrics.factory,
            keyFile: GlobalOptions.keyFile(explicit: keyFile, environment: environment))
        for warning in database.warnings { Printer.message("dryad: warning: \(warning)") }
        let configuration = ServerConfiguration(
            host: host, port: port, maxBody: maxBody, defaultLimit: RateLimit(rate: rate, burst: burst),
            logFormat: LogFormat(rawValue: logFormat) ?? .text, environment: environment, tlsCertificatePath: tlsCert, tlsKeyPath: tlsKey,
            maxConnections: maxConnections, tokenFailureLimit: RateLimit(rate: 1, burst: tokenFailureBurst), metrics: metrics,
            metricsPublic: metricsPublic)
        let address = (tlsCert == nil ? "http://" : "https://") + host
        let app = try buildApplication(database: database, configuration: configuration) { port in
            StandardStream.write("listening on \(address):\(port)\n", to: STDOUT_FILENO)
        }
        // SIGTERM/SIGINT stop accepting, finish requests in flight, then return; the audit
        // batcher is one of the app's services and writes its last batch as the group stops.
        do {
            try await app.runService()
        } catch {
            throw StartupFailure.explain(error, host: host, port: port) ?? error
        }
    }
}
