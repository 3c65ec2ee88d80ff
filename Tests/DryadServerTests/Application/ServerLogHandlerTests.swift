import DryadCore
import Foundation
import Logging
import Synchronization
import Testing

@testable import DryadServer

/// The server's one log handler: access records keep their line shape in text and JSON, and
/// framework records come out in the same format, so a JSON log is JSON throughout.
@Suite struct ServerLogHandlerTests {
    /// A logger whose lines are collected instead of written to stderr.
    final class Lines: Sendable {
        let collected = Mutex<[String]>([])
        func logger(_ format: LogFormat, level: Logger.Level = .info) -> Logger {
            Logger(label: "test") { _ in ServerLogHandler(format: format, level: level) { line in self.collected.withLock { $0.append(line) } } }
        }
        var all: [String] { collected.withLock { $0 } }
    }

    let access: Logger.Metadata = [
        "method": "GET", "path": "/api/v1/tools", "status": .stringConvertible(200), "duration_ms": .stringConvertible(1.5),
        "request_id": "r-1",
    ]

    @Test func accessRecordsAsText() {
        let lines = Lines()
        lines.logger(.text).info("\(AccessLog.message)", metadata: access)
        var failed = access
        failed["principal"] = "ann"
        failed["error"] = "disk full\n"
        lines.logger(.text).info("\(AccessLog.message)", metadata: failed)
        #expect(lines.all == ["GET /api/v1/tools 200 1.5ms - r-1\n", "GET /api/v1/tools 200 1.5ms ann r-1 error=\"disk full\\n\"\n"])
    }

    @Test func accessRecordsAsJSON() throws {
        let lines = Lines()
        lines.logger(.json).info("\(AccessLog.message)", metadata: access)
        let record = try JSONValue.parse(Data(try #require(lines.all.first).utf8))
        #expect(
            record
                == .object([
                    "method": .string("GET"), "path": .string("/api/v1/tools"), "status": .integer(200), "duration_ms": .number(1.5),
                    "request_id": .string("r-1"), "principal": .null,
                ]))
    }

    @Test func otherRecordsShareTheFormatAndLevel() throws {
        let lines = Lines()
        let logger = lines.logger(.json, level: .warning)
        logger.info("server started")
        logger.warning("too many connections", metadata: ["limit": .stringConvertible(2)])
        #expect(lines.all.count == 1, "info is below the framework logger's level")
        let record = try JSONValue.parse(Data(try #require(lines.all.first).utf8))
        #expect(record == .object(["level": .string("warning"), "message": .string("too many connections"), "limit": .integer(2)]))
        let text = Lines()
        text.logger(.text).error("bind failed", metadata: ["port": "80"])
        #expect(text.all == ["error \"bind failed\" port=\"80\"\n"])
    }
}
