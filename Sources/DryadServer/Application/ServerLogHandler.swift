import DryadCore
import Foundation
import Logging

/// Every line `dryad serve` logs, its access log and Hummingbird's own warnings alike, written
/// to stderr in one `--log-format`: a line of text, or one JSON object per line, so a JSON log
/// holds nothing a JSON reader chokes on.
///
/// An access record (message `request`, see `AccessLog`) keeps its established shape: in text
/// `METHOD PATH STATUS 1.2ms PRINCIPAL REQUEST-ID [error="…"]`, in JSON its fields alone. Any
/// other record is `LEVEL message key=value…`, or JSON with `level` and `message` beside its metadata.
struct ServerLogHandler: LogHandler {
    let format: LogFormat
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    /// Where finished lines go: stderr, or a test's collector.
    let sink: @Sendable (String) -> Void

    init(format: LogFormat, level: Logger.Level, sink: @escaping @Sendable (String) -> Void = Self.standardError) {
        self.format = format
        self.logLevel = level
        self.sink = sink
    }

    /// One write(2) per line, errors ignored: a log that cannot be written must not fail the
    /// request, and FileHandle's non-throwing write traps when stderr is a closed pipe.
    static func standardError(_ line: String) {
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { raw in Foundation.write(STDERR_FILENO, raw.baseAddress, raw.count) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        // The handler's own metadata is empty for the access log: no merge (a dictionary copy) per request.
        let fields = metadata.isEmpty ? event.metadata ?? [:] : metadata.merging(event.metadata ?? [:]) { _, record in record }
        let line = event.message.description == AccessLog.message ? accessLine(fields) : otherLine(event, fields)
        sink(line + "\n")
    }

    private func accessLine(_ fields: Logger.Metadata) -> String {
        switch format {
        case .json:
            var object = Self.json(fields)
            if object["principal"] == nil { object["principal"] = .null }
            return JSONValue.object(object).canonicalText
        case .text:
            // Interpolation rather than String(format:), which goes through Foundation's printf.
            func text(_ key: String) -> String { fields[key].map { "\($0)" } ?? "-" }
            let failure = fields["error"].map { " error=" + JSONValue.string("\($0)").canonicalText } ?? ""
            return "\(text("method")) \(text("path")) \(text("status")) \(text("duration_ms"))ms \(text("principal")) \(text("request_id"))\(failure)"
        }
    }

    private func otherLine(_ event: LogEvent, _ fields: Logger.Metadata) -> String {
        switch format {
        case .json:
            var object = Self.json(fields)
            object["level"] = .string(event.level.rawValue)
            object["message"] = .string(event.message.description)
            return JSONValue.object(object).canonicalText
        case .text:
            let pairs = fields.keys.sorted().map { key in " \(key)=" + JSONValue.string("\(fields[key]!)").canonicalText }
            return "\(event.level.rawValue) " + JSONValue.string(event.message.description).canonicalText + pairs.joined()
        }
    }

    /// Metadata as JSON fields: numbers given as numbers (`.stringConvertible(Int)`) stay numbers.
    static func json(_ fields: Logger.Metadata) -> [String: JSONValue] {
        fields.mapValues(json)
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let number as Int): .integer(Int64(number))
        case .stringConvertible(let number as Double): .number(number)
        case .stringConvertible(let other): .string(other.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let fields): .object(fields.mapValues(json))
        }
    }
}
