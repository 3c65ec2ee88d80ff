/// Who is acting: every core operation is authorized for one principal.
public struct Principal: Sendable, Hashable {
    /// The kind of actor, as in the planning document's user/agent/service split.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case user, agent, service
    }

    /// What the principal may do before tool-level grants are considered.
    public enum Role: String, Sendable, Codable, CaseIterable {
        case admin, member
    }

    public let name: String
    public let kind: Kind
    public let role: Role
    /// Ties the audit entries of one CLI invocation or HTTP request together.
    public var requestID: String?
    /// The principal's own request rate for `dryad serve` (`principals set-limit`); nil for the default.
    public var rateLimit: RateLimit?

    public init(name: String, kind: Kind, role: Role, requestID: String? = nil, rateLimit: RateLimit? = nil) {
        self.name = name
        self.kind = kind
        self.role = role
        self.requestID = requestID
        self.rateLimit = rateLimit
    }

    public var isAdmin: Bool { role == .admin }

    /// The operator who owns the database file and runs the CLI without `--as`.
    public static func localOperator(user: String) -> Principal {
        Principal(name: "local:\(user)", kind: .user, role: .admin)
    }
}
