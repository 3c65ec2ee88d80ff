import DryadTestSupport
import Testing

@testable import DryadCore

/// The access rules as pure functions of the facts the stores read, and the admin-only table
/// the audited pipeline applies before any transaction.
@Suite struct AccessRulesTests {
    let member = Principal(name: "ann", kind: .agent, role: .member)
    let admin = Principal(name: "root", kind: .user, role: .admin)

    @Test func grantsDecideToolLevels() {
        #expect(AccessRules.toolDecision(member, level: .read, grants: []) == (false, "no grant"))
        let byType = [HeldGrant(level: .execute, holder: nil)]
        #expect(AccessRules.toolDecision(member, level: .read, grants: byType) == (true, "grant execute to type agent"))
        #expect(AccessRules.toolDecision(member, level: .execute, grants: byType) == (true, "grant execute to type agent"))
        #expect(AccessRules.toolDecision(member, level: .write, grants: byType) == (false, "no write grant"))
        let byName = [HeldGrant(level: .write, holder: "ann")]
        #expect(AccessRules.toolDecision(member, level: .write, grants: byName) == (true, "grant write to principal ann"))
        #expect(AccessRules.toolDecision(admin, level: .write, grants: []) == (true, "role admin"))
    }

    @Test func ownersSharesAndKindsDecideContextAccess() {
        #expect(AccessRules.contextAccess(member, owner: "ann", share: nil) == (.write, "owner"))
        #expect(AccessRules.contextAccess(member, owner: "bob", share: nil) == (nil, "not shared"))
        #expect(AccessRules.contextAccess(member, owner: "bob", share: .read) == (.read, "shared read"))
        let user = Principal(name: "ann", kind: .user, role: .member)
        #expect(AccessRules.contextAccess(user, owner: "ann", share: .write) == (nil, "only agents hold memory"))
        #expect(AccessRules.contextAccess(admin, owner: "bob", share: nil) == (.write, "role admin"))
        // Shares are read only when they could change the answer.
        #expect(AccessRules.needsShares(member, owner: "bob"))
        #expect(!AccessRules.needsShares(member, owner: "ann"))
        #expect(!AccessRules.needsShares(user, owner: "bob"))
        #expect(!AccessRules.needsShares(admin, owner: "bob"))
    }

    @Test func listingsShowWhatReachesThePrincipal() {
        #expect(AccessRules.visibleTools(admin) == .everything)
        #expect(AccessRules.visibleTools(member) == .reachedBy(name: "ann", kind: .agent))
        #expect(AccessRules.visibleContexts(Principal(name: "u", kind: .user, role: .member)) == .nothing)
        #expect(AccessRules.visibleContexts(member) == .reachedBy(name: "ann", kind: .agent))
    }

    /// Every admin-only action is refused for a member before its operation runs, and the
    /// refusal is in the trail; an admin passes.
    @Test(arguments: AuditAction.allCases.filter { AccessRules.requirement(for: $0) == .admin })
    func adminOnlyActionsAreRefusedAndAudited(action: AuditAction) async throws {
        let folder = try TemporaryFolder()
        let database = try DryadDatabase(path: folder.path + "/d.db")
        let error = await #expect(throws: DryadError.self) { try await database.authorize(member, action, "thing") }
        #expect(error == .permissionDenied("ann may not do this: it needs the admin role"))
        try await database.authorize(admin, action, "thing")
        let denial = try #require(try await database.audit.list(AuditQuery(), as: testOperator).items.first { $0.principal == "ann" })
        #expect((denial.action, denial.decision, denial.reason) == (action.rawValue, "deny", "requires role admin"))
    }
}
