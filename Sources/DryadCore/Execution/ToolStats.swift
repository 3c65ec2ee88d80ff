import Foundation

/// Per tool version figures for `tools stats`.
public struct ToolStats: Sendable, Equatable, Encodable {
    public var name: String
    public var version: String
    public var succeeded: Int
    public var failed: Int
    public var timedOut: Int
    /// Runs their caller ended; not in the success rate or the durations (they did not finish).
    public var cancelled: Int
    public var rejected: Int
    public var denied: Int
    /// succeeded / (succeeded + failed + timed_out); nil before the first run.
    public var successRate: Double?
    public var p50Ms: Int?
    public var p95Ms: Int?
    public var maxMs: Int?
    public var lastRunAt: String?

    enum CodingKeys: String, CodingKey {
        case name, version, succeeded, failed
        case timedOut = "timed_out"
        case cancelled, rejected, denied
        case successRate = "success_rate"
        case p50Ms = "p50_ms"
        case p95Ms = "p95_ms"
        case maxMs = "max_ms"
        case lastRunAt = "last_run_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(version, forKey: .version)
        try c.encode(succeeded, forKey: .succeeded)
        try c.encode(failed, forKey: .failed)
        try c.encode(timedOut, forKey: .timedOut)
        try c.encode(cancelled, forKey: .cancelled)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(denied, forKey: .denied)
        try c.encode(successRate, forKey: .successRate)
        try c.encode(p50Ms, forKey: .p50Ms)
        try c.encode(p95Ms, forKey: .p95Ms)
        try c.encode(maxMs, forKey: .maxMs)
        try c.encode(lastRunAt, forKey: .lastRunAt)
    }
}
