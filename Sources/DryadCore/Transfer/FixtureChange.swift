import Foundation
import GRDB

/// What `apply` did, or would do, to one resource.
public struct FixtureChange: Sendable, Equatable, Encodable {
    /// What applying a document does (or, in a dry run, would do) to the database.
    public enum Action: String, Sendable, Encodable {
        case create, update, unchanged
    }

    public var kind: String
    /// The resource's natural key: `NAME@VERSION`, a principal name, `tool -> grantee (level)`, a context key.
    public var name: String
    public var action: Action
    /// The fields that differ, for updates.
    public var fields: [String]
}
