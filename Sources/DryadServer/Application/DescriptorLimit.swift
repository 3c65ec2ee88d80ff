import CConcurrencyHook
import DryadCore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// The process's limit on open files, which connections, SQLite and tool runs share.
enum DescriptorLimit {
    /// Kept for SQLite (the file, its WAL and shared memory per connection, temporary files) and tool runs (three pipes each).
    static let reserve = 256

    /// The soft limit on open files. Not raised here: tool runs inherit it, and some programs
    /// close every descriptor up to the limit when they start.
    static func current() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }
}
