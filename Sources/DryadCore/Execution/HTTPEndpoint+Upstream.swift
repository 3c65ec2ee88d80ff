import Foundation

extension HTTPEndpoint {
    /// The registered headers with each `${NAME}` taken from `environment` (a value that
    /// breaks the header rule is refused without being quoted), in name order: what an HTTP
    /// executor sends with each run and an upstream MCP server's client with each request.
    public func expandedHeaders(environment: [String: String]) throws(DryadError) -> [(name: String, value: String)] {
        var expanded: [(name: String, value: String)] = []
        for (name, template) in headers.sorted(by: { $0.key < $1.key }) {
            expanded.append((name, try EnvironmentTemplate.expand(template, field: "header \(name)", environment: environment, rule: .headerValue)))
        }
        return expanded
    }

    /// The address to connect to after the private-address check (`PrivateAddress`), as an
    /// HTTP executor connects: nil when no pinning is needed (an IP literal, or `allowPrivate`);
    /// a refusal when the host is or resolves to a private address.
    public func checkedAddress() async -> Result<(host: String, address: String)?, DryadError> {
        allowPrivate ? .success(nil) : await HTTPRunner.publicAddress(of: url)
    }
}
