import ArgumentParser
import DryadCore
import Foundation

/// `--data JSON|-` / `--data-file PATH`, shared by store and update.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The data object as JSON, or '-' to read it from stdin.", valueName: "json"))
    var data: String?

    @Option(help: ArgumentHelp("File holding the data object.", valueName: "path"))
    var dataFile: String?

    func validate() throws {
        if data != nil && dataFile != nil { throw ValidationError("--data and --data-file are mutually exclusive") }
    }

    /// The data given, or nil when neither flag was.
    func value() throws(DryadError) -> JSONValue? {
        if let dataFile { return try InputReader.jsonDocument(path: dataFile, flag: "--data-file") }
        if data == "-" { return try InputReader.jsonDocument(path: "-", flag: "--data") }
        if let data { return try InputReader.json(data, flag: "--data") }
        return nil
    }
}

/// Parses `--ttl` durations.
func parseTTL(_ text: String?) throws(DryadError) -> TimeInterval? {
    guard let text else { return nil }
    guard let seconds = TimeWindow.duration(text), seconds > 0 else {
        throw .invalidInput("--ttl: \"\(text)\" is not a duration like 90s, 15m, 2h or 7d")
    }
    return seconds
}
