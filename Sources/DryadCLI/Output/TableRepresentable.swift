import ArgumentParser
import DryadCore
import Foundation

/// A record that can also be shown to people as a table row or a block of fields.
protocol TableRepresentable {
    /// Column titles for listings.
    static var columns: [String] { get }
    /// One listing row, aligned with `columns`.
    var row: [String] { get }
    /// Name/value lines for a single record.
    var fields: [(String, String)] { get }
}
