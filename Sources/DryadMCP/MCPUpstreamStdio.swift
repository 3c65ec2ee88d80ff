import DryadCore
import Foundation
import Synchronization

/// The stdio transport to an upstream server: its program (`ServerProcess`, confined as its
/// sandbox policy says) reads messages on stdin and writes them on stdout, one per line.
///
/// stdout is read on a thread of its own; when it ends (the program died or closed it), the
/// link closes with how the program ended and what it last wrote to stderr. Writes happen on
/// a serial queue of their own, so a server that stops reading blocks no task thread.
final class MCPUpstreamStdio: MCPUpstreamTransport {
    private let process: ServerProcess
    private let writes: DispatchQueue
    /// How long one message may wait for room in the program's stdin.
    static let writeDeadline: Duration = .seconds(5)

    private init(process: ServerProcess, server: String) {
        self.process = process
        self.writes = DispatchQueue(label: "dryad-upstream-\(server)")
    }

    /// Starts the program and begins reading what it writes into `link`.
    static func start(_ command: CommandEndpoint, server: String, launcher: ServerLauncher, link: MCPUpstreamLink) throws(DryadError)
        -> MCPUpstreamStdio
    {
        let process = try launcher.start(command, name: server)
        let transport = MCPUpstreamStdio(process: process, server: server)
        let lines = AsyncStream<MCPLineChannel.LineRead>(bufferingPolicy: .unbounded) { continuation in
            let thread = Thread {
                MCPLineChannel.readLines(from: process.output) { continuation.yield($0) }
                // Only this reader uses the descriptor; `stop()` leaves it alone.
                Glibc.close(process.output)
                continuation.finish()
            }
            thread.name = "dryad-upstream-read"
            thread.start()
        }
        Task {
            for await line in lines {
                switch line {
                case .line(let data):
                    if let message = try? JSONValue.parse(data) { await link.deliver(message) }
                case .tooLong:
                    await link.close("it sent a message larger than \(MCPMessage.maxBytes / 1024 / 1024) MiB")
                }
            }
            // stdout ended: the program is gone (or going); reap it and say how it ended. Its
            // stderr is told only while it starts: once open, it may log any caller's arguments,
            // and every caller of the server would read them.
            let ending = await BlockingStop.stop(process)
            let errors = await link.isOpen ? "" : process.recentErrors
            await link.close("its process ended (\(ending))" + (errors.isEmpty ? "" : ": \(errors)"))
        }
        return transport
    }

    func send(_ message: JSONValue, link: MCPUpstreamLink?) async throws(DryadError) {
        let bytes = MCPMessage.encode(message) + [0x0A]
        let process = self.process
        let written: Bool = await withCheckedContinuation { continuation in
            writes.async { continuation.resume(returning: process.write(bytes, within: Self.writeDeadline)) }
        }
        guard written else {
            // A program that stops reading is as good as dead: close the link so the next call restarts it.
            await link?.close("its process stopped reading its input (or ended)")
            throw .toolFailed("cannot write to its process (it stopped reading its input, or ended)")
        }
    }

    func negotiated(_ version: String) async {}

    func opened(link: MCPUpstreamLink) async {}

    func close() async {
        _ = await BlockingStop.stop(process)
    }
}

/// Stops a server process off the task threads: stopping waits up to its grace period.
enum BlockingStop {
    static func stop(_ process: ServerProcess) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: process.stop()) }
        }
    }
}
