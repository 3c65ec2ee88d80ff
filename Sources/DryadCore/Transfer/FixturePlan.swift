import Foundation
import GRDB

/// The outcome of one `apply`.
public struct FixturePlan: Sendable, Equatable, Encodable {
    public var changes: [FixtureChange]
    /// True when nothing was written (`--dry-run`).
    public var dryRun: Bool

    enum CodingKeys: String, CodingKey {
        case changes
        case dryRun = "dry_run"
    }

    /// How many resources each action touched, for the summary line.
    public func count(_ action: FixtureChange.Action) -> Int { changes.filter { $0.action == action }.count }
}
