/// One file of the web console: its media type and its text.
struct ConsoleAsset: Sendable {
    let contentType: String
    let body: String
}
