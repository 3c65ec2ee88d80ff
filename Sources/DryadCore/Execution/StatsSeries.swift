import Foundation

/// One tool's runs over time, in equal buckets aligned to the epoch (1-hour buckets start on
/// the hour): counts by status and p50/p95 durations per bucket, for plots (`tools stats
/// --series`, `GET /tools/{ref}/stats/series`, the console). Every bucket of the range is
/// present, empty ones with zeros, so a plot needs no gaps filled.
public struct StatsSeries: Sendable, Equatable, Encodable {
    /// The tool as asked (`NAME`, `NAME@VERSION` or an id).
    public var tool: String
    public var bucketSeconds: Int
    /// The start of the first bucket and the end of the last (RFC 3339).
    public var since: String
    public var until: String
    public var buckets: [StatsBucket]
    /// Where the next page starts (its `since`) when the range asked holds more than
    /// `maxBuckets` buckets; nil on the last page.
    public var next: String?

    /// The most buckets in one answer.
    public static let maxBuckets = 500
    /// The shortest and longest bucket.
    public static let minBucketSeconds = 60
    public static let maxBucketSeconds = 30 * 86_400

    enum CodingKeys: String, CodingKey {
        case tool
        case bucketSeconds = "bucket_seconds"
        case since, until, buckets, next
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tool, forKey: .tool)
        try c.encode(bucketSeconds, forKey: .bucketSeconds)
        try c.encode(since, forKey: .since)
        try c.encode(until, forKey: .until)
        try c.encode(buckets, forKey: .buckets)
        try c.encode(next, forKey: .next)
    }
}

/// One bucket of a `StatsSeries`: runs that started in `[start, start + bucket)`.
public struct StatsBucket: Sendable, Equatable, Encodable {
    public var start: String
    public var succeeded = 0
    public var failed = 0
    public var timedOut = 0
    public var cancelled = 0
    public var rejected = 0
    public var denied = 0
    /// Durations of the runs that reached the executor (succeeded, failed, timed_out), as `tools stats` counts them.
    public var p50Ms: Int?
    public var p95Ms: Int?

    public init(start: String) {
        self.start = start
    }

    enum CodingKeys: String, CodingKey {
        case start, succeeded, failed
        case timedOut = "timed_out"
        case cancelled, rejected, denied
        case p50Ms = "p50_ms"
        case p95Ms = "p95_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(start, forKey: .start)
        try c.encode(succeeded, forKey: .succeeded)
        try c.encode(failed, forKey: .failed)
        try c.encode(timedOut, forKey: .timedOut)
        try c.encode(cancelled, forKey: .cancelled)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(denied, forKey: .denied)
        try c.encode(p50Ms, forKey: .p50Ms)
        try c.encode(p95Ms, forKey: .p95Ms)
    }
}
