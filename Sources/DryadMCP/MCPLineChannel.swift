import DryadCore
import Foundation
import Synchronization

/// MCP's stdio transport: one JSON-RPC message per line on `input`, answers and
/// notifications one per line on `output`, nothing else on it.
///
/// Lines are read on a thread of their own (a blocking `read`), each request answered in a
/// task of its own, so a `notifications/cancelled` is read while the call it names still runs.
/// At the end of input the channel waits for what is still running, then returns; `stop()`
/// (SIGTERM, SIGINT) cancels it instead, which ends and records any tool run in progress.
public final class MCPLineChannel: Sendable {
    private let input: Int32
    private let output: Int32
    /// One writer at a time, so two answers never interleave within a line.
    private let writing = Mutex<Bool>(true)
    private let requests = Mutex<Task<Void, Never>?>(nil)

    public init(input: Int32, output: Int32) {
        self.input = input
        self.output = output
    }

    /// Serves `session` until the input ends (or `stop()`), then stops its watcher.
    public func serve(_ session: MCPSession) async {
        let lines = AsyncStream<LineRead>(bufferingPolicy: .unbounded) { continuation in
            let thread = Thread { [input] in
                Self.readLines(from: input) { continuation.yield($0) }
                continuation.finish()
            }
            thread.start()
        }
        let owner = UUID().uuidString
        await session.setOutbox(owner: owner) { [weak self] message in self?.send(message) }
        let watcher = Task { await session.watch() }
        let work = Task {
            await withTaskGroup(of: Void.self) { group in
                // Each message is taken in the order it was read (a cancellation finds the request
                // it names registered); requests are then answered concurrently.
                for await line in lines {
                    let task: Task<JSONValue?, Never>?
                    switch line {
                    case .line(let data):
                        switch MCPMessage.parse(data) {
                        case .success(let message): task = await session.start(message, related: { [weak self] in self?.send($0) })
                        case .failure(let failure): task = Task { failure.json }
                        }
                    case .tooLong:
                        let failure = MCPFailure(code: .invalidRequest, message: "message larger than \(MCPMessage.maxBytes / 1024 / 1024) MiB")
                        task = Task { failure.json }
                    }
                    guard let task else { continue }
                    group.addTask { [self] in
                        let answer = await withTaskCancellationHandler {
                            await task.value
                        } onCancel: {
                            task.cancel()
                        }
                        if let answer { self.send(answer) }
                    }
                }
                await group.waitForAll()
            }
        }
        requests.withLock { $0 = work }
        await work.value
        watcher.cancel()
        await session.clearOutbox(owner: owner)
    }

    /// Ends the session now: in-flight requests are cancelled (their runs killed and recorded).
    public func stop() {
        requests.withLock { $0?.cancel() }
    }

    /// Writes one message and a newline; a closed output (the host went away) ends the session.
    func send(_ message: JSONValue) {
        let bytes = MCPMessage.encode(message) + [0x0A]
        let open = writing.withLock { open -> Bool in
            guard open else { return false }
            open = Self.writeAll(bytes, to: output)
            return open
        }
        if !open { stop() }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress! + offset, bytes.count - offset) }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }

    /// One line read, or a line longer than a message may be (skipped up to its end).
    enum LineRead: Sendable {
        case line(Data)
        case tooLong
    }

    /// Reads `fd` to its end, handing over each non-blank line; a line longer than
    /// `MCPMessage.maxBytes` is reported once and skipped, never held.
    static func readLines(from fd: Int32, _ deliver: (LineRead) -> Void) {
        var pending = Data()
        var skipping = false
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var start = 0
            for index in 0..<count where chunk[index] == 0x0A {
                if skipping {
                    skipping = false
                } else {
                    pending.append(contentsOf: chunk[start..<index])
                    if pending.count > MCPMessage.maxBytes {
                        deliver(.tooLong)
                    } else if pending.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) {
                        deliver(.line(pending))
                    }
                }
                pending.removeAll(keepingCapacity: true)
                start = index + 1
            }
            if !skipping { pending.append(contentsOf: chunk[start..<count]) }
            if pending.count > MCPMessage.maxBytes {
                deliver(.tooLong)
                pending.removeAll()
                skipping = true
            }
        }
        if !skipping, pending.count > MCPMessage.maxBytes {
            deliver(.tooLong)
        } else if !skipping, pending.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) {
            deliver(.line(pending))
        }
    }
}
