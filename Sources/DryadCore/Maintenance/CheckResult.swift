import Foundation
import GRDB

/// One line of `db check`.
public struct CheckResult: Sendable, Equatable, Encodable {
    public var check: String
    public var ok: Bool
    public var detail: String
}
