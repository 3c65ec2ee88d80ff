import ArgumentParser
import DryadCore
import Foundation

/// `dryad apply -f PATH|-`: declarative fixtures.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or update tools, principals, permissions and memory contexts from YAML or JSON documents.",
        discussion: """
            Each document (or element of a top-level JSON array) has a kind (Tool, Principal, Permission, MemoryContext) and the fields of that resource's \
            -o json form; MemoryContext documents are found again by their key and name their parent by parent_key. \
            Everything is applied in one transaction: all or nothing. Resources missing from the files are left alone.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(
        name: [.customShort("f"), .customLong("file")],
        help: ArgumentHelp("YAML (multi-document) or JSON file, or '-' for stdin (repeatable).", valueName: "path"))
    var files: [String] = []
    @Flag(help: "Print the plan (create, update, unchanged per resource) and write nothing.") var dryRun = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one -f PATH (or -f - for stdin)") }
    }

    func run() async throws {
        var documents: [FixtureDocument] = []
        for path in files {
            let source = path == "-" ? "stdin" : path
            // A JSON array (or a YAML sequence) holds one document per element.
            let values = try InputReader.documents(path: path).flatMap { $0.arrayValue ?? [$0] }
            for (index, json) in values.enumerated() {
                documents.append(FixtureDocument(source: source, index: index + 1, json: json))
            }
        }
        let progress = ProgressLine(label: "applying", total: documents.count, threshold: 300)
        let (database, principal) = try await global.open()
        let plan = try await database.fixtures.apply(
            documents, dryRun: dryRun, progress: progress?.counter,
            as: principal)
        progress?.finish()
        switch global.output {
        case .table:
            Printer.out(
                Printer.table(
                    header: ["ACTION", "KIND", "NAME", "CHANGED"],
                    rows: plan.changes.map { [$0.action.rawValue, $0.kind, $0.name, $0.fields.isEmpty ? "-" : $0.fields.joined(separator: ",")] }))
        case .json: Printer.out(try Printer.encode(plan, pretty: true))
        case .jsonl: for change in plan.changes { Printer.out(try Printer.encode(change, pretty: false)) }
        }
        let counts = "\(plan.count(.create)) to create, \(plan.count(.update)) to update, \(plan.count(.unchanged)) unchanged"
        Printer.message(
            dryRun
                ? "dry run: \(counts); nothing written"
                : "applied: \(plan.count(.create)) created, \(plan.count(.update)) updated, \(plan.count(.unchanged)) unchanged")
    }
}

/// `dryad export`: a JSON-lines bundle of the database.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the database as a JSON-lines bundle (stdout, or a file written atomically).",
        discussion:
            "Signing keys and tokens are never exported. `dryad import` loads a bundle into an empty database; exporting that database again gives the same bytes."
    )

    @OptionGroup var global: GlobalOptions
    @Option(
        help: ArgumentHelp(
            "Comma-separated sections: tools, principals, permissions, memory, errors, executions, audit (default: all).",
            valueName: "sections"))
    var include: String?
    @Option(help: ArgumentHelp("Write the bundle to this file (mode 0600) instead of stdout.", valueName: "path"))
    var outputFile: String?

    func run() async throws {
        var sections = Set(BundleSection.allCases)
        if let include {
            sections = []
            for name in include.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard let section = BundleSection(rawValue: name) else {
                    throw ValidationError(
                        "--include: unknown section '\(name)' (choose from \(BundleSection.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                sections.insert(section)
            }
        }
        // Open (and authenticate) first, so a refusal leaves no partial file behind.
        let (database, principal) = try await global.open()
        let writer = try BundleFileWriter(path: outputFile)
        let progress = ProgressLine(label: "exporting", total: nil, threshold: 0)
        let summary: BundleSummary
        do {
            summary = try await database.bundles.export(
                sections, to: { line in try writer.write(line) },
                progress: progress?.counter, as: principal)
            try writer.commit()
        } catch {
            writer.discard()
            throw error
        }
        progress?.finish()
        if let outputFile {
            try global.printer.result(
                summary, text: "exported \(summary.total) rows (\(summary.sections.map(\.rawValue).joined(separator: ", "))) to \(outputFile)")
        } else if isatty(STDERR_FILENO) == 1 {
            Printer.message("exported \(summary.total) rows (\(summary.sections.map(\.rawValue).joined(separator: ", ")))")
        }
    }
}

/// `dryad import PATH`: loads a bundle into an empty database.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a bundle written by `dryad export` into an empty database, all or nothing.",
        discussion:
            "An import that brings the audit trail adds no entry of its own (the trail is the source's history and still verifies); otherwise the import is the new trail's first entry."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The bundle, or '-' for stdin.") var path: String

    func run() async throws {
        let reader = try BundleLineReader(path: path)
        let progress = ProgressLine(label: "importing", total: nil, threshold: 0)
        let (database, principal) = try await global.open()
        let summary = try await database.bundles.import(
            from: { try reader.next() },
            progress: progress?.counter, as: principal)
        progress?.finish()
        try global.printer.result(
            summary, text: "imported \(summary.total) rows (\(summary.sections.map(\.rawValue).joined(separator: ", "))) into \(database.path)")
    }
}

/// A progress counter on stderr, shown only when stderr is a terminal (never in pipes or logs).
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let total: Int?
    private let lock = NSLock()
    private var shown = false

    /// Nil when stderr is not a terminal or the work is too small to be worth a counter.
    init?(label: String, total: Int?, threshold: Int) {
        guard isatty(STDERR_FILENO) == 1, (total ?? Int.max) > threshold else { return nil }
        self.label = label
        self.total = total
    }

    /// `update` as a callback for the core.
    var counter: @Sendable (Int) -> Void { { [self] done in update(done) } }

    func update(_ done: Int) {
        lock.withLock {
            shown = true
            let of = total.map { "/\($0)" } ?? ""
            StandardStream.write("\r\(label): \(done)\(of)", to: STDERR_FILENO)
        }
    }

    /// Ends the counter's line so the next message starts clean.
    func finish() {
        lock.withLock { if shown { StandardStream.write("\n", to: STDERR_FILENO) } }
    }
}

/// Writes bundle lines to stdout, or to a temporary file renamed over `path` only when complete.
///
/// `@unchecked Sendable`: the export calls `write` from its one reading transaction, line after
/// line, and `commit`/`discard` only after it returned, so the state is never touched concurrently.
final class BundleFileWriter: @unchecked Sendable {
    /// Nil for stdout.
    private let handle: FileHandle?
    private let path: String?
    private let temporary: String?
    private var buffer: [UInt8] = []

    init(path: String?) throws(DryadError) {
        self.path = path
        guard let path else {
            handle = nil
            temporary = nil
            return
        }
        let temporary = "\(path).partial-\(getpid())"
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        self.temporary = temporary
    }

    func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard let handle else {
            guard StandardStream.write(buffer, to: STDOUT_FILENO) else {
                throw DryadError.storage("cannot write stdout: \(String(cString: strerror(errno)))")
            }
            return
        }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw DryadError.storage("cannot write \(path ?? "stdout"): \(error.localizedDescription)")
        }
    }

    /// Flushes, syncs and moves the finished file into place.
    func commit() throws {
        try flush()
        guard let handle, let temporary, let path else { return }
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw DryadError.storage("cannot write \(path): \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            throw DryadError.storage("cannot move the bundle to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the unfinished file after a failure.
    func discard() {
        if let temporary { unlink(temporary) }
    }
}

/// Reads a bundle one line at a time, refusing lines longer than `BundleTransfer.maxLineBytes`.
///
/// `@unchecked Sendable`: the import pulls lines from its one writing transaction, one after
/// another, so the buffer is never touched concurrently.
final class BundleLineReader: @unchecked Sendable {
    private let handle: FileHandle
    private let name: String
    private var buffer = Data()
    /// Where the next unread line starts in `buffer`.
    private var start = 0
    /// How far past `start` is known to hold no newline.
    private var scanned = 0
    private var atEnd = false

    init(path: String) throws(DryadError) {
        name = path == "-" ? "stdin" : path
        handle = try InputReader.open(path: path)
    }

    func next() throws -> String? {
        while true {
            if let newline = buffer[max(start, scanned)...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                scanned = start
                return try text(line)
            }
            // Nothing up to here is a newline: the next search starts after it.
            scanned = buffer.endIndex
            if atEnd {
                guard start < buffer.endIndex else { return nil }
                defer { start = buffer.endIndex }
                return try text(buffer[start...])
            }
            guard buffer.endIndex - start <= BundleTransfer.maxLineBytes else {
                throw DryadError.invalidInput("\(name): a line is longer than \(BundleTransfer.maxLineBytes / 1024 / 1024) MiB")
            }
            // Drop consumed lines before reading more, so the buffer holds about one chunk.
            scanned -= start - buffer.startIndex
            buffer.removeSubrange(buffer.startIndex..<start)
            start = buffer.startIndex
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 16) ?? Data()
            } catch {
                throw DryadError.invalidInput("cannot read \(name): \(InputReader.describe(error))")
            }
            if chunk.isEmpty { atEnd = true } else { buffer.append(chunk) }
        }
    }

    private func text(_ bytes: Data) throws -> String {
        guard let line = String(data: bytes, encoding: .utf8) else { throw DryadError.invalidInput("\(name): not UTF-8 text") }
        return line
    }
}
