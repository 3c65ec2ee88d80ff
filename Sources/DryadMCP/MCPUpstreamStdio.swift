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
            await transport.ended(link: link)
        }
        return transport
    }

    /// The program is gone (or going): reaps it and closes the link saying how it ended. Its
    /// stderr is told only while it starts: once open, it may log any caller's arguments, and
    /// every caller of the server would read them.
    func ended(link: MCPUpstreamLink) async {
        let process = self.process
        let (ending, errors) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: (process.stop(), process.errorsAfterExit())) }
        }
        let told = await link.isOpen ? "" : errors
        await link.close("its process ended (\(ending))" + (told.isEmpty ? "" : ": \(told)"))
    }

    func send(_ message: JSONValue, link: MCPUpstreamLink?) async throws(DryadError) {
        let bytes = MCPMessage.encode(message) + [0x0A]
        let process = self.process
        let written: Bool = await withCheckedContinuation { continuation in
            writes.async { continuation.resume(returning: process.write(bytes, within: Self.writeDeadline)) }
        }
        guard written else {
            // Ended: say how (the reader would say the same, a moment later). Still running, it
            // stopped reading: as good as dead, so the next call starts it again.
            if process.hasExited, let link {
                await ended(link: link)
                throw .toolFailed(await link.closedReason ?? "its process ended")
            }
            await link?.close("its process stopped reading its input")
            throw .toolFailed("its process stopped reading its input")
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
