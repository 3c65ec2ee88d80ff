import Foundation

/// One step from a JSON value to one of its children, kept while validating so that the
/// pointer string is only built when a violation is reported.
package enum JSONPathStep: Sendable {
    case key(String)
    case index(Int)
}
