import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// The long-lived program of a stdio upstream server: started confined, spoken to over pipes,
/// stopped and reaped.
@Suite struct ServerProcessTests {
    let folder: TemporaryFolder
    let database: DryadDatabase

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
    }

    /// Reads from `fd` until `count` bytes or the end.
    func read(_ fd: Int32, count: Int) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while bytes.count < count {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func keepsRunningAcrossMessagesAndStopsOnRequest() throws {
        let launcher = database.serverLauncher(environment: ["PATH": "/usr/bin:/bin"])
        let process = try launcher.start(CommandEndpoint(argv: ["cat"]), name: "echo")
        #expect(process.write(Array("one\n".utf8), within: .seconds(1)))
        #expect(read(process.output, count: 4) == "one\n")
        #expect(process.write(Array("two\n".utf8), within: .seconds(1)))
        #expect(read(process.output, count: 4) == "two\n")
        #expect(!process.hasExited)
        #expect(process.stop() == "killed by signal 15")
        #expect(process.stop() == "killed by signal 15")
        #expect(!process.write(Array("late\n".utf8), within: .seconds(1)))
    }

    @Test func reportsHowItEndedAndWhatItSaid() throws {
        let launcher = database.serverLauncher(environment: ["PATH": "/usr/bin:/bin"])
        let process = try launcher.start(CommandEndpoint(argv: ["/bin/sh", "-c", "echo broken config >&2; exit 3"]), name: "bad")
        #expect(read(process.output, count: 1) == "")
        #expect(process.stop() == "exit code 3")
        #expect(process.errorsAfterExit() == "broken config")
    }

    @Test func seesNoneOfDryadsEnvironmentOrFiles() throws {
        let launcher = database.serverLauncher(environment: ["PATH": "/usr/bin:/bin", "SECRET": "s3cret"])
        let script = "env | sort | cut -d= -f1 | tr '\\n' ' '; cat \(folder.path)/d.db >/dev/null 2>&1 && echo READ || echo DENIED"
        let process = try launcher.start(CommandEndpoint(argv: ["/bin/sh", "-c", script]), name: "nosy")
        let said = read(process.output, count: 10_000)
        process.stop()
        #expect(said.contains("DRYAD_SERVER") && !said.contains("SECRET"))
        #expect(said.hasSuffix("DENIED\n"))
    }

    /// The sandbox's parent-death signal fires when the forking thread ends: a program started
    /// from a short-lived thread must outlive it.
    @Test func outlivesTheThreadThatStartedIt() throws {
        let launcher = database.serverLauncher(environment: ["PATH": "/usr/bin:/bin"])
        let started = Mutex<ServerProcess?>(nil)
        let thread = Thread { started.withLock { $0 = try? launcher.start(CommandEndpoint(argv: ["sleep", "30"]), name: "long") } }
        thread.start()
        for _ in 0..<200 where started.withLock({ $0 == nil }) { Thread.sleep(forTimeInterval: 0.01) }
        let process = try #require(started.withLock { $0 })
        Thread.sleep(forTimeInterval: 0.3)
        #expect(!process.hasExited)
        #expect(process.stop() == "killed by signal 15")
    }

    /// A program that stops reading cannot hold a writer: the write gives up at its deadline.
    @Test func aProgramThatStopsReadingDoesNotHoldTheWriter() throws {
        let launcher = database.serverLauncher(environment: ["PATH": "/usr/bin:/bin"])
        let process = try launcher.start(CommandEndpoint(argv: ["sleep", "30"]), name: "deaf")
        let clock = ContinuousClock()
        let started = clock.now
        #expect(!process.write([UInt8](repeating: 0x41, count: 1 << 20), within: .milliseconds(200)))
        #expect(clock.now - started < .seconds(3))
        process.stop()
    }
}
