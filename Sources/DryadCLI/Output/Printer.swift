import ArgumentParser
import DryadCore
import Foundation

/// Writes results to stdout and messages to stderr in the chosen format.
struct Printer {
    let format: OutputFormat

    /// Prints one record.
    func record<T: Encodable & TableRepresentable>(_ value: T) throws {
        switch format {
        case .table: Self.out(Self.fieldBlock(value.fields))
        case .json: Self.out(try Self.encode(value, pretty: true))
        case .jsonl: Self.out(try Self.encode(value, pretty: false))
        }
    }

    /// Prints one page of a listing; `noun` names the items in messages (`tools`).
    func page<T: Encodable & TableRepresentable & Sendable>(_ page: Page<T>, noun: String) throws {
        switch format {
        case .table:
            if page.items.isEmpty {
                Self.message("no \(noun) found")
            } else {
                Self.out(Self.table(header: T.columns, rows: page.items.map(\.row)))
            }
            if let next = page.nextCursor { Self.message("more \(noun): pass --cursor \(next)") }
        case .json:
            Self.out(try Self.encode(page, pretty: true))
        case .jsonl:
            for item in page.items { Self.out(try Self.encode(item, pretty: false)) }
            if let next = page.nextCursor { Self.message("more \(noun): pass --cursor \(next)") }
        }
    }

    /// Prints a line for people in table mode, and the value itself for scripts.
    func result<T: Encodable>(_ value: T, text: String) throws {
        switch format {
        case .table: Self.out(text)
        case .json: Self.out(try Self.encode(value, pretty: true))
        case .jsonl: Self.out(try Self.encode(value, pretty: false))
        }
    }

    /// Reports an error on stderr: one line, or one JSON object with `-o json`/`jsonl`.
    static func error(code: String, message: String, format: OutputFormat) {
        let line = message.replacingOccurrences(of: "\n", with: " ")
        if format == .table {
            // Messages quote stored values and arguments: an ESC or CR must not reach the terminal.
            StandardStream.write("dryad: error: \(visible(line))\n", to: STDERR_FILENO)
        } else {
            let body = JSONValue.object(["error": .object(["code": .string(code), "message": .string(line)])])
            StandardStream.write(body.canonicalText + "\n", to: STDERR_FILENO)
        }
    }

    /// A message for people on stderr (never part of the results).
    static func message(_ text: String) {
        StandardStream.write("\(visible(text, keepingLines: true))\n", to: STDERR_FILENO)
    }

    static func out(_ text: String) {
        StandardStream.write(text + "\n", to: STDOUT_FILENO)
    }

    static func encode<T: Encodable>(_ value: T, pretty: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        guard pretty else { return String(decoding: data, as: UTF8.self) }
        // Foundation's pretty printer writes `"key" : value` and splits empty objects over lines.
        return try JSONValue.parse(data, maxDepth: 1000).prettyText
    }

    /// Aligned columns separated by two spaces, like `kubectl get`.
    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows.map { $0.map { visible($0) } }
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func fieldBlock(_ fields: [(String, String)]) -> String {
        let width = (fields.map(\.0.count).max() ?? 0) + 1
        return fields.map { name, value in
            (name + ":").padding(toLength: width, withPad: " ", startingAt: 0) + " " + visible(value, keepingLines: true)
        }.joined(separator: "\n")
    }

    /// `text` with control characters shown as `\u{1b}` escapes: stored names and descriptions
    /// may hold them, and printed raw an escape sequence would drive the reader's terminal.
    /// `keepingLines` lets line breaks and tabs through (a multi-line error in a field block).
    static func visible(_ text: String, keepingLines: Bool = false) -> String {
        let escaped = { (scalar: Unicode.Scalar) in isControl(scalar) && !(keepingLines && (scalar == "\n" || scalar == "\t")) }
        guard text.unicodeScalars.contains(where: escaped) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if escaped(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
