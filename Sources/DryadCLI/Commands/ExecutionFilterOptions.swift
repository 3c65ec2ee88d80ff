import ArgumentParser
import DryadCore

/// The filters `tools history` and `executions list` share.
struct ExecutionFilterOptions: ParsableArguments {
    @Option(help: "Only this status: succeeded, failed, timed_out, cancelled, rejected or denied.")
    var status: ExecutionStatus?

    @Option(help: ArgumentHelp("Only runs in this session.", valueName: "id"))
    var session: String?

    @Option(help: ArgumentHelp("Only runs in this memory context.", valueName: "id"), completion: DatabaseCompletion.contexts)
    var context: String?

    @Option(help: ArgumentHelp("Only runs since an RFC 3339 time or a duration back from now (15m, 2h, 7d).", valueName: "when"))
    var since: String?

    /// The query, with `principal` for a listing that filters by it too.
    func query(principal: String? = nil) throws -> ExecutionQuery {
        ExecutionQuery(status: status, sessionID: session, contextID: context, principal: principal, since: try since.map { try TimeWindow.since($0) })
    }
}
