import Foundation

/// How allowed reads reach the audit trail.
public enum ReadAudit: Sendable {
    /// Each read writes its entry before it answers (the CLI).
    case immediate
    /// Reads run concurrently and their entries are written together, `interval` late at most
    /// (plus the write itself) but still in the chain (`dryad serve --audit-reads all`).
    /// At most `capacity` entries wait in memory; past it (a file that cannot be written) reads fail.
    case batched(interval: Duration, capacity: Int = ReadAudit.defaultCapacity)
    /// Allowed reads are not audited (`--audit-reads none`); denials and changes still are.
    case none

    /// Batched entries held in memory at most (about 20 MB): past it reads are refused, not left unaudited.
    public static let defaultCapacity = 100_000
}
