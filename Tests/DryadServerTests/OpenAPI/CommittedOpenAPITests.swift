import DryadCore
import DryadTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// `docs/openapi.json` is the document the server serves, so a change to the API shows in
/// review as a change to that file. `DRYAD_WRITE_OPENAPI=1 swift test --filter CommittedOpenAPI`
/// (or `.ci/generate-docs`) writes it after an intended change.
@Suite struct CommittedOpenAPITests {
    static let committed = packageRoot.appendingPathComponent("docs/openapi.json")

    @Test func theCommittedDocumentIsTheServedOne() async throws {
        let fixture = try await Fixture()
        let served = try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { String(buffer: $0.body) }
        }
        let pretty = try JSONValue.parse(Data(served.utf8)).prettyText + "\n"
        if ProcessInfo.processInfo.environment["DRYAD_WRITE_OPENAPI"] == "1" {
            try Data(pretty.utf8).write(to: Self.committed)
        }
        let onDisk = (try? String(contentsOf: Self.committed, encoding: .utf8)) ?? "(missing)"
        #expect(onDisk == pretty, "docs/openapi.json is not what the server serves: run DRYAD_WRITE_OPENAPI=1 swift test --filter CommittedOpenAPI")
    }
}
