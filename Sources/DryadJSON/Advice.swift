/// What to do about an error, naming options of the operation: the core says which option,
/// the command line and the REST API each spell it (`--all-versions`, `all_versions=true`).
public struct Advice: Sendable, Equatable {
    /// Words, or an option by its REST parameter name (snake case).
    public enum Part: Sendable, Equatable {
        case text(String)
        case option(String)
    }

    public var parts: [Part]

    public init(_ parts: Part...) {
        self.parts = parts
    }

    /// The advice as one phrase, each option spelt by `spelling`.
    public func rendered(spelling: (String) -> String) -> String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .option(let name): spelling(name)
            }
        }.joined()
    }
}
