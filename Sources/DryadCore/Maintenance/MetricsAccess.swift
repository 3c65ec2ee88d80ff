extension DryadDatabase {
    /// Decides (and audits) a scrape of the server's metrics: they name tools, routes and
    /// principals' activity that the API would hide from most callers, so they are for admins,
    /// as `db status` is. A server started with `--metrics-public` does not ask.
    public func authorizeMetricsRead(as principal: Principal) async throws(DryadError) {
        try await audited(principal, .metricsRead, "metrics") { _, _ in () }
    }
}
