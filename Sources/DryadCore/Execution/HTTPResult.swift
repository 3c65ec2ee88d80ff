import Foundation

/// What an HTTP executor's endpoint answered.
struct HTTPResult: Sendable {
    /// How the exchange ended.
    enum Ending: Sendable, Equatable {
        case responded(status: Int)
        case timedOut
        case bodyTooLarge(limit: Int)
        case unreachable(String)
    }

    var ending: Ending
    var body: Data
}
