import Foundation
import GRDB

/// What an export or import moved.
public struct BundleSummary: Sendable, Equatable, Encodable {
    public var sections: [BundleSection]
    /// Rows per table.
    public var rows: [String: Int]
    public var total: Int { rows.values.reduce(0, +) }

    enum CodingKeys: String, CodingKey { case sections, rows, total }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sections, forKey: .sections)
        try c.encode(rows, forKey: .rows)
        try c.encode(total, forKey: .total)
    }
}
