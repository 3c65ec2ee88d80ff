import DryadCore
import DryadTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// The review's finding, performed: an unauthenticated `/metrics` listed tool names that the
/// API hides. Metrics need an admin's token (or `--metrics-public`), and labels stay bounded.
@Suite struct MetricsExposureTests {
    /// Registers and runs a tool only the admin can see, so the metrics hold its name.
    func fixtureWithAHiddenTool() async throws -> Fixture {
        let fixture = try await Fixture()
        var hidden = ToolDefinition(name: "payroll-export", description: "d")
        hidden.executor = .command(CommandEndpoint(argv: ["/bin/cat"]))
        _ = try await fixture.database.tools.register([hidden], as: Principal.localOperator(user: "tester"))
        return fixture
    }

    @Test func metricsNeedAnAdminsToken() async throws {
        let fixture = try await fixtureWithAHiddenTool()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tools/payroll-export/execute", method: .post, headers: headers(fixture.admin), body: body("{}")) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/v1/tools/payroll-export", method: .get, headers: headers(fixture.agent)) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(!String(buffer: response.body).contains("payroll"))
            }
            try await client.execute(uri: "/metrics", method: .get, headers: headers(fixture.agent)) { response in
                #expect(response.status == .forbidden)
                #expect(!String(buffer: response.body).contains("payroll"))
            }
            try await client.execute(uri: "/metrics", method: .get, headers: headers(fixture.admin)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#"dryad_tool_executions_total{tool="payroll-export",status="succeeded"} 1"#))
            }
        }
        let scrapes = try await fixture.database.audit.list(AuditQuery(action: "metrics.read"), as: Principal.localOperator(user: "tester")).items
        #expect(scrapes.map { "\($0.principal) \($0.decision)" }.sorted() == ["ops allow", "planner deny"])
    }

    @Test func aPublicMetricsServerAsksForNoToken() async throws {
        let fixture = try await fixtureWithAHiddenTool()
        try await fixture.app(ServerConfiguration(metricsPublic: true)).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
        }
    }

    /// A client may send any method token; each would have been a new series.
    @Test func labelsStayBoundedWhateverClientsSend() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            for method in ["BREW", "WHEN", "PROPFIND"] {
                try await client.execute(uri: "/api/v1/tools", method: HTTPRequest.Method(method)!, headers: headers(fixture.admin)) { _ in }
            }
            try await client.execute(uri: "/metrics", method: .get, headers: headers(fixture.admin)) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"method="other""#))
                #expect(!text.contains("BREW") && !text.contains("PROPFIND"))
            }
        }
        let metrics = ServerMetrics()
        for i in 0..<(ServerMetrics.maxToolLabels + 5) { metrics.execution(tool: "t\(i)", status: "succeeded") }
        metrics.execution(tool: "t0", status: "succeeded")
        let text = metrics.text()
        #expect(text.contains(#"dryad_tool_executions_total{tool="other",status="succeeded"} 5"#))
        #expect(text.contains(#"dryad_tool_executions_total{tool="t0",status="succeeded"} 2"#))
    }
}

/// The core's structured errors become the documented statuses and headers.
@Suite struct LimitProblemTests {
    @Test func aRunLimitIs429WithRetryAfterAndAQuotaIs409() {
        let limited = Problem(DryadError.limited("planner has 8 tool runs in progress", retryAfterSeconds: 1))
        #expect(limited.status == .tooManyRequests && limited.code == "rate_limited")
        #expect(limited.headers[.retryAfter] == "1")
        let quota = Problem(DryadError.quotaExceeded("memory quota of planner"))
        #expect(quota.status == .conflict && quota.code == "quota_exceeded")
    }
}
