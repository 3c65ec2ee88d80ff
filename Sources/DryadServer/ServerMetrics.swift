import Foundation
import Prometheus

/// Prometheus metrics: requests by route and status, latency, executions, rate-limit denials.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private static let buckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                              .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]

    func record(method: String, path: String, status: Int, elapsed: Duration) {
        registry.makeCounter(name: "dryad_http_requests_total", labels: [("method", method), ("route", path), ("status", String(status))]).increment()
        registry.makeDurationHistogram(name: "dryad_http_request_duration_seconds", labels: [("method", method), ("route", path)], buckets: Self.buckets)
            .record(elapsed)
    }

    func execution(tool: String, status: String) {
        registry.makeCounter(name: "dryad_tool_executions_total", labels: [("tool", tool), ("status", status)]).increment()
    }

    func rateLimited() {
        registry.makeCounter(name: "dryad_rate_limited_total").increment()
    }

    /// The Prometheus text exposition.
    func text() -> String { registry.emitToString() }
}
