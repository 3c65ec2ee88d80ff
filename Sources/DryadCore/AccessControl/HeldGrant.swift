/// A grant on one tool that reaches a principal: by their name (`holder`) or by their type (nil).
struct HeldGrant: Equatable, Sendable {
    let level: ToolLevel
    let holder: String?
}
