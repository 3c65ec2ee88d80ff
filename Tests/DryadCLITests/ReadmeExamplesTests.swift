import DryadTestSupport
import Foundation
import Testing

/// The README's examples, run as written: a README that drifts from the program fails here.
///
/// - A ```console block is a sequence of `$ COMMAND` lines (continued by a trailing `\`),
///   each followed by what it prints, stdout and stderr together; `…` in an expected line
///   stands for any text (an id, a time). The block runs as one `/bin/sh` script in a fresh
///   folder with a fresh database, so variables set by one command reach the next, and
///   every command must exit 0 (an example that shows a failure echoes its status).
/// - The ```sh block of `dryad serve` runs with its port replaced by a free one, and waits for
///   the server where a reader at a terminal would not need to.
/// - The set-up command's last step (register a tool, run it) runs against a fresh database;
///   building and installing is what CI itself does.
@Suite struct ReadmeExamplesTests {
    static let readme: String = {
        (try? String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    /// The bodies of the README's fenced blocks with the given info string, in order.
    static func blocks(_ language: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```" + language {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// One `$` command of a console block and the lines it should print.
    struct Example {
        var command: String
        var expected: [String]
    }

    static func examples(in block: String) -> [Example] {
        var examples: [Example] = []
        var continuing = false
        for line in block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if continuing, var last = examples.popLast() {
                last.command += "\n" + line
                examples.append(last)
            } else if line.hasPrefix("$ ") {
                examples.append(Example(command: String(line.dropFirst(2)), expected: []))
            } else if var last = examples.popLast() {
                last.expected.append(line)
                examples.append(last)
            }
            continuing = line.hasSuffix("\\")
        }
        return examples
    }

    /// Whether `actual` is `expected` with each `…` standing for any text.
    static func matches(_ actual: String, _ expected: String) -> Bool {
        let parts = expected.components(separatedBy: "…")
        guard parts.count > 1 else { return actual == expected }
        var rest = Substring(actual)
        for (index, part) in parts.enumerated() {
            if index == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if index == parts.count - 1 {
                return rest.hasSuffix(part)
            } else {
                guard let range = rest.range(of: part) else { return false }
                rest = rest[range.upperBound...]
            }
        }
        return true
    }

    static let marker = "@@readme-example@@"

    /// PATH with the built `dryad` first, as after the README's install step.
    static var path: String { URL(fileURLWithPath: CLIHarness.binary).deletingLastPathComponent().path + ":/usr/bin:/bin" }

    @Test func theTourPrintsWhatTheReadmeShows() throws {
        let blocks = Self.blocks("console")
        try #require(!blocks.isEmpty, "the README has no console example")
        for block in blocks {
            let cli = try CLIHarness()
            let examples = Self.examples(in: block)
            var script = "cd '\(cli.folder)'\n"
            for (index, example) in examples.enumerated() {
                script += "{ \(example.command)\n} 2>&1; echo \"\(Self.marker) \(index) $?\"\n"
            }
            let result = try cli.run(["PATH": Self.path], shell: script)
            var outputs: [[String]] = []
            var current: [String] = []
            for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if line.hasPrefix(Self.marker) {
                    let status = line.split(separator: " ").last.map(String.init) ?? ""
                    #expect(status == "0", "`\(examples[outputs.count].command)` exited \(status): \(current.joined(separator: "\n"))")
                    outputs.append(current)
                    current = []
                } else {
                    current.append(line)
                }
            }
            try #require(outputs.count == examples.count, "the block stopped early: \(result.stdout)\(result.stderr)")
            for (example, output) in zip(examples, outputs) {
                let same = output.count == example.expected.count && zip(output, example.expected).allSatisfy { Self.matches($0, $1) }
                #expect(
                    same, "`\(example.command)` printed:\n\(output.joined(separator: "\n"))\nthe README shows:\n\(example.expected.joined(separator: "\n"))")
            }
        }
    }

    @Test func theServeExampleAnswers() throws {
        let block = try #require(Self.blocks("sh").first { $0.contains("dryad serve") }, "the README has no serve example")
        let cli = try CLIHarness()
        let port = try Self.freePort()
        var script = "cd '\(cli.folder)'\nset -e\n"
        for line in block.replacingOccurrences(of: "8080", with: String(port)).split(separator: "\n").map(String.init) {
            script += line + "\n"
            if line.contains("&") && line.contains("dryad serve") {
                // A reader types the next line after the server printed its address; a script does not wait.
                // The trap ends the server however the script ends: its stdout is this test's pipe.
                script += "server=$!; trap 'kill $server 2>/dev/null' EXIT\n"
                script += "for i in $(seq 100); do curl -s localhost:\(port)/healthz >/dev/null && break; sleep 0.1; done\n"
            }
        }
        let result = try cli.run(["PATH": Self.path], shell: script)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("listening on http://127.0.0.1:\(port)"))
        #expect(result.stdout.contains(#"{"items":[],"next_cursor":null}"#), "\(result.stdout)")
    }

    @Test func theSetUpCommandRegistersAndRunsATool() throws {
        let setUp = try #require(Self.blocks("sh").first { $0.contains("swift build -c release") }, "the README has no set-up command")
        // What follows the install: `{ dryad tools register …; dryad tools execute hello; }`.
        let group = try #require(setUp.range(of: "{ dryad").map { String(setUp[$0.lowerBound...]) })
        let cli = try CLIHarness()
        let result = try cli.run(["PATH": Self.path], shell: group)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("{\n  \"hello\": \"world\"\n}\n"), "\(result.stdout)")
    }

    /// A port nothing listens on now (the kernel's pick for a socket bound to port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound, "cannot bind a socket to find a free port")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
