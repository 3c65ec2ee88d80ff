/// What a listing may show, decided by `AccessRules` and turned into a condition by each store.
enum Visibility: Equatable, Sendable {
    case everything
    /// What grants or shares reach this principal (and, for memory, what they own).
    case reachedBy(name: String, kind: Principal.Kind)
    case nothing
}
