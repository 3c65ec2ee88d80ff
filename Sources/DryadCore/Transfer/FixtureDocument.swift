import Foundation
import GRDB

/// One parsed document of a fixture file, with where it came from for error messages.
public struct FixtureDocument: Sendable {
    /// The file name (or `stdin`).
    public var source: String
    /// The document's 1-based position in its file.
    public var index: Int
    public var json: JSONValue

    public init(source: String, index: Int, json: JSONValue) {
        self.source = source
        self.index = index
        self.json = json
    }
}
