import ArgumentParser
import DryadCore
import Foundation

/// How results are printed: `table` for people, `json` and `jsonl` for scripts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, jsonl

    /// Finds `-o FORMAT` in raw arguments, for errors raised before parsing finished.
    static func sniff(_ arguments: [String]) -> OutputFormat {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            if argument == "--" { break }
            if argument == "-o" || argument == "--output" {
                if let value = iterator.next(), let format = OutputFormat(rawValue: value) { return format }
            } else if argument.hasPrefix("--output="), let format = OutputFormat(rawValue: String(argument.dropFirst(9))) {
                return format
            } else if argument.hasPrefix("-o"), let format = OutputFormat(rawValue: String(argument.dropFirst(2))) {
                return format
            }
        }
        return .table
    }
}
