import DryadCore
import DryadTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// A database with an admin and a member agent, and tokens for both.
struct Fixture {
    /// Removed with the database files when the test's last copy of the fixture goes.
    let temporary: TemporaryFolder
    var folder: String { temporary.path }
    let database: DryadDatabase
    let admin: String
    let agent: String
    /// The server's metrics, which the database counts into as `dryad serve`'s does.
    let metrics = ServerMetrics()

    /// - Parameter cached: configure the database as `dryad serve` does (batched read audits, a read cache).
    init(cached: Bool = false) async throws {
        temporary = try TemporaryFolder(prefix: "dryad-server-tests")
        database = try DryadDatabase(
            path: temporary.path + "/d.db", readAudit: cached ? .batched(interval: .milliseconds(5)) : .immediate, readCacheBytes: cached ? 1 << 20 : 0,
            metrics: metrics.factory)
        if cached { await database.startAuditBatching() }
        let root = Principal.localOperator(user: "tester")
        _ = try await database.principals.add("ops", type: .user, role: .admin, as: root)
        _ = try await database.principals.add("planner", type: .agent, role: .member, as: root)
        admin = try await database.tokens.issue(for: "ops", as: root).token
        agent = try await database.tokens.issue(for: "planner", as: root).token
    }

    func app(_ configuration: ServerConfiguration = ServerConfiguration()) throws -> some ApplicationProtocol {
        var configuration = configuration
        configuration.metrics = metrics
        return try buildApplication(database: database, configuration: configuration)
    }
}

func headers(_ token: String?, _ contentType: String? = "application/json", _ extra: [String: String] = [:]) -> HTTPFields {
    var fields = HTTPFields()
    if let token { fields[.authorization] = "Bearer \(token)" }
    if let contentType { fields[.contentType] = contentType }
    for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
    return fields
}

func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

/// The JSON object of a response, or an empty one (so assertions read without `try`).
func fields(_ response: TestResponse) -> [String: Any] {
    ((try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]) ?? [:]
}

func object(_ response: TestResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
}
