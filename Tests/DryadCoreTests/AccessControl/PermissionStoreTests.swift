import DryadTestSupport
import Testing

@testable import DryadCore

/// Grants on tools: to a principal or a type, listing, checking and revoking, all admin-only.
@Suite struct PermissionStoreTests {
    let folder: TemporaryFolder
    let database: DryadDatabase
    var perms: PermissionStore { database.permissions }

    init() async throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
        _ = try await database.tools.register([definition("echo"), definition("other")], as: testOperator)
        _ = try await database.principals.add("planner", type: .agent, role: .member, as: testOperator)
        _ = try await database.principals.add("critic", type: .agent, role: .member, as: testOperator)
    }

    @Test func grantingOrRevokingTwiceChangesNothing() async throws {
        let first = try await perms.grant("echo", to: .principal("planner"), level: .execute, as: testOperator)
        let again = try await perms.grant("echo", to: .principal("planner"), level: .execute, as: testOperator)
        #expect(first == again)
        #expect(try await perms.list(tool: "echo", principal: nil, as: testOperator) == [first])
        #expect(try await perms.revoke("echo", from: .principal("planner"), level: .execute, as: testOperator) == first)
        #expect(try await perms.revoke("echo", from: .principal("planner"), level: .execute, as: testOperator) == nil)
        // Still a typo is an error: an unknown principal or tool is not "nothing to revoke".
        #expect(await errorCode { _ = try await perms.revoke("echo", from: .principal("nobody"), level: .execute, as: testOperator) } == "not_found")
        #expect(try await perms.list(tool: nil, principal: nil, as: testOperator).isEmpty)
    }

    @Test func checkSaysWhichRuleDecides() async throws {
        #expect(try await perms.check("echo", principal: "planner", level: .read, as: testOperator).allowed == false)
        _ = try await perms.grant("echo", to: .type(.agent), level: .write, as: testOperator)
        let read = try await perms.check("echo", principal: "critic", level: .read, as: testOperator)
        #expect(read.allowed && read.reason == "grant write to type agent")
        #expect(try await perms.check("echo", principal: "critic", level: .execute, as: testOperator).allowed == false)
        _ = try await perms.grant("echo", to: .principal("planner"), level: .execute, as: testOperator)
        let execute = try await perms.check("echo", principal: "planner", level: .execute, as: testOperator)
        #expect(execute.allowed && execute.reason == "grant execute to principal planner")
        #expect(try await perms.check("other", principal: "planner", level: .read, as: testOperator).allowed == false)
    }

    @Test func listingByPrincipalIncludesGrantsToItsType() async throws {
        _ = try await perms.grant("echo", to: .type(.agent), level: .read, as: testOperator)
        _ = try await perms.grant("other", to: .principal("critic"), level: .read, as: testOperator)
        let planners = try await perms.list(tool: nil, principal: "planner", as: testOperator)
        #expect(planners.map(\.tool) == ["echo"] && planners.first?.principalType == .agent)
        #expect(try await perms.list(tool: nil, principal: "critic", as: testOperator).count == 2)
    }

    @Test func unknownToolsAndPrincipalsAndMembersAreRefused() async throws {
        #expect(await errorCode { _ = try await perms.grant("missing", to: .principal("planner"), level: .read, as: testOperator) } == "not_found")
        #expect(await errorCode { _ = try await perms.check("echo", principal: "nobody", level: .read, as: testOperator) } == "not_found")
        let member = try await database.principals.acting(as: "planner", requestID: nil)
        #expect(await errorCode { _ = try await perms.grant("echo", to: .principal("planner"), level: .write, as: member) } == "permission_denied")
        #expect(await errorCode { _ = try await perms.list(tool: nil, principal: nil, as: member) } == "permission_denied")
    }
}
