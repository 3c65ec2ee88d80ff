import DryadCore
import DryadServer
import Foundation
import HummingbirdTesting
import Testing

@Suite struct HealthTests {
    @Test func healthAndReadinessAnswer() async throws {
        let folder = NSTemporaryDirectory() + "dryad-server-tests-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try DryadDatabase(path: folder + "/d.db")
        let app = buildApplication(database: database)
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok\n")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
