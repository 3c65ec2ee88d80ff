/// The documented exit statuses, once: `dryad --help` lists them from here, `exitCode(for:)`
/// maps every error onto one of them, and a test holds the README's table to both.
enum ExitStatus {
    static let table: [(status: Int32, meaning: String)] = [
        (0, "ok"), (1, "unexpected error"), (3, "not found"), (4, "permission denied"), (5, "conflict"),
        (6, "tool run failed"), (64, "usage"), (65, "invalid input"), (75, "busy (try again)"),
    ]

    /// The sentence the root command's help ends with.
    static var summary: String {
        "Exit codes: " + table.map { "\($0.status) \($0.meaning)" }.joined(separator: ", ") + "."
    }
}
