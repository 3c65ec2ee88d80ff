import DryadTestSupport
import Testing

@testable import DryadCore

/// Principals: names, roles, disabling, removal and limits, all admin-only.
@Suite struct PrincipalStoreTests {
    let folder: TemporaryFolder
    let database: DryadDatabase
    var principals: PrincipalStore { database.principals }

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    @Test func addShowListAndDefaults() async throws {
        let added = try await principals.add("planner", type: .agent, role: .member, as: testOperator)
        #expect(added.name == "planner" && added.type == .agent && added.role == .member && !added.disabled)
        #expect(added.rate == nil && added.burst == nil)
        #expect(try await principals.show("planner", as: testOperator) == added)
        _ = try await principals.add("ops", type: .service, role: .admin, as: testOperator)
        #expect(try await principals.list(as: testOperator).map(\.name).sorted() == ["ops", "planner"])
        #expect(await errorCode { _ = try await principals.add("planner", type: .user, role: .member, as: testOperator) } == "conflict")
    }

    @Test func reservedAndMalformedNamesAreRefused() async throws {
        for name in ["anonymous", ".", "..", "local:someone", "", "a b", "ünïcode", String(repeating: "a", count: 129), "tab\there"] {
            #expect(await errorCode { _ = try await principals.add(name, type: .user, role: .member, as: testOperator) } == "invalid_input", "\(name)")
        }
        #expect(try await principals.list(as: testOperator).isEmpty)
        _ = try await principals.add("a.b@c:d_e-f", type: .user, role: .member, as: testOperator)
    }

    @Test func onlyAdminsManagePrincipals() async throws {
        _ = try await principals.add("member", type: .user, role: .member, as: testOperator)
        let member = try await principals.acting(as: "member", requestID: nil)
        #expect(await errorCode { _ = try await principals.add("x", type: .user, role: .admin, as: member) } == "permission_denied")
        #expect(await errorCode { _ = try await principals.list(as: member) } == "permission_denied")
        #expect(await errorCode { _ = try await principals.disable("member", as: member) } == "permission_denied")
        #expect(await errorCode { _ = try await principals.setLimit("member", rate: 1, burst: 1, as: member) } == "permission_denied")
    }

    @Test func aDisabledPrincipalCannotActAndARemovedOneIsGone() async throws {
        _ = try await principals.add("planner", type: .agent, role: .member, as: testOperator)
        #expect(try await principals.disable("planner", as: testOperator).disabled)
        #expect(await errorCode { _ = try await principals.acting(as: "planner", requestID: nil) } == "permission_denied")
        #expect(try await principals.remove("planner", as: testOperator).name == "planner")
        #expect(await errorCode { _ = try await principals.show("planner", as: testOperator) } == "not_found")
        #expect(await errorCode { _ = try await principals.remove("planner", as: testOperator) } == "not_found")
    }

    @Test func limitsAreCheckedAndStored() async throws {
        _ = try await principals.add("planner", type: .agent, role: .member, as: testOperator)
        let limited = try await principals.setLimit("planner", rate: 2.5, burst: 10, as: testOperator)
        #expect(limited.rate == 2.5 && limited.burst == 10)
        #expect(try await principals.acting(as: "planner", requestID: nil).rateLimit == RateLimit(rate: 2.5, burst: 10))
        for (rate, burst) in [(0.0, 1), (0.0001, 1), (1, 0), (1, 1_000_001), (2_000_000, 1)] {
            #expect(await errorCode { _ = try await principals.setLimit("planner", rate: rate, burst: burst, as: testOperator) } == "invalid_input")
        }
        #expect(await errorCode { _ = try await principals.setLimit("nobody", rate: 1, burst: 1, as: testOperator) } == "not_found")
    }
}
