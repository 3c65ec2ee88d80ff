import Foundation
import GRDB

/// Who a grant is for.
public enum Grantee: Sendable, Equatable {
    case principal(String)
    case type(Principal.Kind)
}
