import DryadCore
import Foundation
import Yams

/// Reads user-supplied files, `@FILE` arguments and stdin with size caps, and parses them.
enum InputReader {
    /// The largest file or stdin dryad reads for one argument.
    static let maxBytes = 8 * 1024 * 1024

    /// Reads a file (`-` for stdin) up to `maxBytes`.
    static func read(path: String) throws(DryadError) -> Data {
        let handle = try open(path: path)
        defer { if path != "-" { try? handle.close() } }
        do {
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            guard data.count <= maxBytes else {
                throw DryadError.invalidInput("\(path == "-" ? "stdin" : path) is larger than \(maxBytes / 1024 / 1024) MiB")
            }
            return data
        } catch let error as DryadError {
            throw error
        } catch {
            throw .invalidInput("cannot read \(path == "-" ? "stdin" : path): \(describe(error))")
        }
    }

    /// Opens a file for reading (`-` for stdin), with a one-line error when it cannot be read.
    static func open(path: String) throws(DryadError) -> FileHandle {
        if path == "-" { return FileHandle.standardInput }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        // Opening a directory succeeds; reading it fails later with an unhelpful Foundation error.
        guard !isDirectory.boolValue else { throw .invalidInput("cannot read \(path): it is a directory") }
        guard let opened = FileHandle(forReadingAtPath: path) else {
            throw .invalidInput("cannot read \(path): \(exists ? "permission denied" : "no such file")")
        }
        return opened
    }

    /// The operating system's reason behind a failed read (Foundation wraps it as "error 256").
    static func describe(_ error: any Error) -> String {
        var current = error as NSError
        while current.domain != NSPOSIXErrorDomain, let underlying = current.userInfo[NSUnderlyingErrorKey] as? NSError {
            current = underlying
        }
        if current.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(current.code))) }
        return error.localizedDescription
    }

    /// Parses an option value that is inline JSON or `@FILE` (`@-` for stdin); `flag` names it in errors.
    static func json(_ argument: String, flag: String) throws(DryadError) -> JSONValue {
        do {
            if argument.hasPrefix("@") {
                return try JSONValue.parse(try read(path: String(argument.dropFirst())))
            }
            return try JSONValue.parse(argument)
        } catch {
            throw .invalidInput("\(flag): \(error.message)")
        }
    }

    /// Parses a file (`-` for stdin) holding one JSON document; `flag` names it in errors.
    static func jsonDocument(path: String, flag: String) throws(DryadError) -> JSONValue {
        do {
            return try JSONValue.parse(try read(path: path))
        } catch {
            throw .invalidInput("\(flag): \(error.message)")
        }
    }

    /// Parses a JSON or YAML file into its documents (a YAML stream may hold several).
    static func documents(path: String) throws(DryadError) -> [JSONValue] {
        let data = try read(path: path)
        let name = path == "-" ? "stdin" : path
        let firstByte = data.first { !Set(" \t\r\n".utf8).contains($0) }
        if path.hasSuffix(".json") || firstByte == UInt8(ascii: "{") || firstByte == UInt8(ascii: "[") {
            do {
                return [try JSONValue.parse(data)]
            } catch {
                throw .invalidInput("\(name): \(error.message)")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidInput("\(name): not UTF-8 text")
        }
        do {
            var documents: [JSONValue] = []
            var budget = YAMLConversion.maxNodes
            // Not `compose_all`: its sequence ends quietly at an error, which applied the
            // documents before a broken one and dropped the rest with exit 0.
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                documents.append(try YAMLConversion.json(from: node, depth: 0, budget: &budget))
            }
            return documents
        } catch let error as DryadError {
            throw .invalidInput("\(name): \(error.message)")
        } catch let error as YamlError {
            throw .invalidInput("\(name): invalid YAML: \(YAMLConversion.describe(error))")
        } catch {
            throw .invalidInput("\(name): invalid YAML")
        }
    }
}
