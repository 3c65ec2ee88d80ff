import DryadTestSupport
import Testing

@testable import DryadCore

/// The MCP registry's `server.json`, read as a foreign format: what dryad uses becomes a
/// transport, the rest is listed, secrets stay in dryad's environment.
@Suite struct ServerManifestTests {
    func manifest(_ text: String) throws -> ServerManifest {
        try ServerManifest(json: try JSONValue.parse(text))
    }

    @Test func aStdioPackageBecomesAContainedProgram() throws {
        let read = try manifest(
            """
            {"$schema": "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json",
             "name": "io.github.example/weather.server", "version": "1.0.2", "websiteUrl": "https://x",
             "packages": [{"registryType": "npm", "identifier": "@example/weather", "version": "1.0.2", "transport": {"type": "stdio"},
                           "runtimeArguments": [{"type": "named", "name": "--quiet"}],
                           "packageArguments": [{"type": "named", "name": "--units", "value": "metric"}, {"type": "positional", "value": "serve"}],
                           "environmentVariables": [{"name": "WEATHER_KEY", "isSecret": true}], "fileSha256": "ab"},
                          {"registryType": "pypi", "identifier": "weather"}],
             "remotes": [{"type": "sse", "url": "https://weather.example/sse"}]}
            """)
        guard case .stdio(let command) = read.transport else { Issue.record("not stdio: \(read.transport)"); return }
        #expect(command.argv == ["npx", "-y", "--quiet", "@example/weather@1.0.2", "--units", "metric", "serve"])
        #expect(command.env == ["WEATHER_KEY": "${WEATHER_KEY}"])
        #expect(command.sandbox == .standard)
        #expect(read.suggestedName == "weather-server")
        #expect(read.variables == ["WEATHER_KEY"])
        #expect(read.ignored == ["$schema", "version", "websiteUrl", "remotes[0]", "packages[0].fileSha256", "packages[1]"])
    }

    @Test func aStreamableHTTPRemoteWinsAndItsPlaceholdersReadDryadsEnvironment() throws {
        let read = try manifest(
            """
            {"name": "com.example/api", "packages": [{"registryType": "oci", "identifier": "example/api", "version": "2"}],
             "remotes": [{"type": "streamable-http", "url": "https://api.example.com/mcp",
                          "headers": [{"name": "Authorization", "value": "Bearer {api_key}", "isSecret": true}, {"name": "X-Tenant"}]}]}
            """)
        guard case .http(let endpoint) = read.transport else { Issue.record("not http: \(read.transport)"); return }
        #expect(endpoint.url == "https://api.example.com/mcp")
        #expect(endpoint.headers == ["Authorization": "Bearer ${API_KEY}", "X-Tenant": "${X_TENANT}"])
        #expect(read.variables == ["API_KEY", "X_TENANT"])
        #expect(read.ignored == ["packages[0]"])
    }

    @Test func whatDryadCannotRunIsRefusedInOneLine() {
        #expect(errorCode { _ = try manifest(#"{"name": "x", "packages": [{"registryType": "mcpb", "identifier": "x"}]}"#) } == "invalid_input")
        #expect(errorCode { _ = try manifest(#"{"packages": []}"#) } == "invalid_input")
        #expect(errorCode { _ = try manifest(#"{"name": "x", "remotes": "nope"}"#) } == "invalid_input")
        // A header whose value would break the header rule is refused by the executor's own check.
        let injected =
            #"{"name": "x", "remotes": [{"type": "streamable-http", "url": "https://a.example/mcp", "headers": [{"name": "A", "value": "x\r\nB: y"}]}]}"#
        #expect(errorCode { _ = try manifest(injected) } == "invalid_input")
    }
}
