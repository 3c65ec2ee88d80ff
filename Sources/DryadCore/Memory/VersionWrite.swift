/// Who and what wrote a context version: kept with the version for its history and trace.
struct VersionWrite: Sendable {
    var principal: String
    /// The run whose output this version stores; nil for a write by hand.
    var executionID: String? = nil
    /// Leaves added, removed or changed against the previous version.
    var changedLeaves: Int
}
