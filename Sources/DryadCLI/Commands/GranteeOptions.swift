import ArgumentParser
import DryadCore
import Foundation

/// The grantee flags shared by grant, revoke and check.
struct GranteeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A principal by name.", valueName: "name")) var principal: String?
    @Option(help: ArgumentHelp("Every principal of a type: user, agent or service.", valueName: "type")) var principalType: Principal.Kind?

    func validate() throws {
        if (principal == nil) == (principalType == nil) { throw ValidationError("give exactly one of --principal and --principal-type") }
    }

    var grantee: Grantee {
        if let principal { return .principal(principal) }
        return .type(principalType ?? .user)
    }
}
