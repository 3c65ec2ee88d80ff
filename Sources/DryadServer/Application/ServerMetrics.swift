import Foundation
import Prometheus
import Synchronization

import protocol CoreMetrics.MetricsFactory

/// Prometheus metrics: requests by route and status, latency, executions, rate-limit denials,
/// and whatever the core counts through swift-metrics (the read cache's lookups) when the
/// database was opened with `factory`.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    public init() {}

    /// The swift-metrics factory to open a served database with, so its counts land here.
    public var factory: any MetricsFactory { PrometheusMetricsFactory(registry: registry) }
    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]
    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "dryad", metricName: "http_requests", unitName: "total",
            helpText: "HTTP requests by method, route and status.")
    }
    private static var latency: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "dryad", metricName: "http_request_duration", unitName: "seconds",
            helpText: "HTTP request latency by method and route.")
    }
    private static var executions: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "dryad", metricName: "tool_executions", unitName: "total",
            helpText: "Tool executions by tool and status.")
    }
    private static var limited: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "dryad", metricName: "rate_limited", unitName: "total",
            helpText: "Requests refused by the rate limiter.")
    }

    /// The collectors of one method, route and status.
    private struct RouteKey: Hashable {
        var method: String
        var path: String
        var status: Int
    }

    /// Collectors already made: the registry's own lookup builds names and checks labels on
    /// every call, which cost a fiftieth of a served read.
    private let routes = Mutex<[RouteKey: (Counter, DurationHistogram)]>([:])

    /// The methods a label may name; any other (clients may send any token) counts as `other`,
    /// so a client cannot add series without bound.
    static let methodLabels: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    /// Distinct tool names labelled at most, per process; later ones count as `other`.
    static let maxToolLabels = 1_000
    private let toolLabels = Mutex<Set<String>>([])

    func record(method: String, path: String, status: Int, elapsed: Duration) {
        let method = Self.methodLabels.contains(method) ? method : "other"
        let key = RouteKey(method: method, path: path, status: status)
        let (counter, histogram) = routes.withLock { routes in
            if let made = routes[key] { return made }
            let made = (
                registry.makeCounter(descriptor: Self.requests, labels: [("method", method), ("route", path), ("status", String(status))]),
                registry.makeDurationHistogram(descriptor: Self.latency, labels: [("method", method), ("route", path)], buckets: Self.buckets)
            )
            routes[key] = made
            return made
        }
        counter.increment()
        histogram.record(elapsed)
    }

    func execution(tool: String, status: String) {
        let label = toolLabels.withLock { seen in
            if seen.contains(tool) { return tool }
            guard seen.count < Self.maxToolLabels else { return "other" }
            seen.insert(tool)
            return tool
        }
        registry.makeCounter(descriptor: Self.executions, labels: [("tool", label), ("status", status)]).increment()
    }

    func rateLimited() {
        registry.makeCounter(descriptor: Self.limited).increment()
    }

    /// The Prometheus text exposition: the server's own collectors and what the core counted
    /// through `factory`.
    func text() -> String {
        registry.emitToString()
    }
}
