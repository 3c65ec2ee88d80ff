import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// The web console's files: embedded as they are on disk, served with their security headers,
/// `/` redirecting to them, nothing else served under `/console/`.
@Suite struct ConsoleRoutesTests {
    /// The assets folder beside the sources, found from this file's path.
    static let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../../Sources/DryadServer/Console/assets"
    ).standardized

    @Test func theEmbeddedCopyIsTheFilesOnDisk() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.assets.path).sorted()
        #expect(names == ConsoleAssets.files.keys.sorted(), "run .ci/generate-console")
        for name in names {
            let onDisk = try String(contentsOf: Self.assets.appendingPathComponent(name), encoding: .utf8)
            #expect(ConsoleAssets.files[name]?.body == onDisk, "\(name) changed: run .ci/generate-console")
        }
    }

    @Test func filesAreServedWithAStrictPolicy() async throws {
        let fixture = try await Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .found)
                #expect(response.headers[.location] == "/console/")
            }
            for (uri, type) in [("/console/", "text/html"), ("/console/console.js", "text/javascript"), ("/console/console.css", "text/css")] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.headers[.contentType]?.hasPrefix(type) == true, "\(uri)")
                    #expect(
                        response.headers[.contentSecurityPolicy]
                            == "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
                    )
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                }
            }
            for uri in ["/console/../dryad.db", "/console/index.htm", "/console/%2e%2e%2fdryad.key"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
            }
        }
    }

    /// The page loads nothing from elsewhere and puts no script or style inline, which the
    /// policy would block: the files must keep to it.
    @Test func thePageKeepsToItsOwnPolicy() throws {
        let html = try #require(ConsoleAssets.files["index.html"]?.body)
        // Every script is an external module; no element carries an inline handler or style.
        let scripts = html.components(separatedBy: "<script").dropFirst()
        #expect(scripts.allSatisfy { $0.hasPrefix(#" type="module" src="/console/"#) && $0.contains("></script>") })
        #expect(!html.contains("style=") && !html.contains(" on"))
        // The token field has no name, so a form sent before the script runs cannot put it in a URL.
        #expect(html.contains(#"<input id="token" type="password""#))
        #expect(!html.contains("http://") && !html.contains("https://"))
        let modules = ConsoleAssets.files.filter { $0.key.hasSuffix(".js") }
        #expect(modules.count > 1)
        for (name, script) in modules {
            #expect(!script.body.contains("innerHTML") && !script.body.contains("eval(") && !script.body.contains("document.write"), "\(name)")
        }
    }
}
