/// How an upstream tool's name becomes a dryad tool name: `PREFIX__TOOL`, where the prefix is
/// the server's name unless the operator chose another (or none).
///
/// MCP allows names dryad's rule does not (dots, 128 characters): such a name has each
/// character outside the rule replaced by `_` and is cut to leave room for `-` and a
/// fingerprint of the original name, so two upstream names that map alike stay apart and the
/// same name maps the same way on every sync. The original is kept in the tool's metadata.
public enum UpstreamNaming {
    /// The longest upstream tool name accepted, in bytes (MCP's own limit).
    public static let maxUpstreamNameBytes = 128
    /// Between the prefix and the upstream name.
    public static let separator = "__"

    /// The dryad name of upstream tool `tool` under `prefix` ("" for none).
    public static func dryadName(prefix: String, tool: String) -> String {
        let plain = prefix.isEmpty ? tool : prefix + separator + tool
        if NameRule.toolName.accepts(plain) { return plain }
        let mapped = String(
            plain.unicodeScalars.map { scalar in
                scalar.isASCII && NameRule.toolName.accepts(String(scalar)) ? Character(scalar) : "_"
            })
        let fingerprint = String(StableHash.of([tool]).suffix(8))
        let room = NameRule.toolName.maxLength - fingerprint.count - 1
        return String(mapped.prefix(room)) + "-" + fingerprint
    }
}
