import Foundation
import GRDB

/// One table in a bundle and the order that makes its rows deterministic.
struct BundleTable: Sendable {
    var name: String
    var order: String
    init(_ name: String, order: String) {
        self.name = name
        self.order = order
    }
}
