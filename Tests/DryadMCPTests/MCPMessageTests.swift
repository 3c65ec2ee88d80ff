import DryadCore
import DryadTestSupport
import Foundation
import Testing

@testable import DryadMCP

@Suite struct MCPMessageTests {
    private func parse(_ text: String) -> Result<MCPMessage, MCPFailure> { MCPMessage.parse(Data(text.utf8)) }

    @Test func readsRequestsNotificationsAndAnswers() throws {
        #expect(
            try parse(#"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#).get() == .request(id: .integer(7), method: "tools/list", params: .object([:])))
        #expect(
            try parse(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).get()
                == .notification(method: "notifications/initialized", params: .object([:])))
        #expect(try parse(#"{"jsonrpc":"2.0","id":"a","result":{}}"#).get() == .response(id: .string("a")))
    }

    /// Each malformed message gets its JSON-RPC code, and the request's id when it could be read.
    @Test func malformedMessagesGetTheirCodes() {
        let cases: [(String, MCPFailure.Code, JSONValue?)] = [
            ("{", .parseError, nil),
            ("[1]", .invalidRequest, nil),
            (#"{"id":1,"method":"ping"}"#, .invalidRequest, .integer(1)),
            (#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, .invalidRequest, nil),
            (#"{"jsonrpc":"2.0","id":2}"#, .invalidRequest, .integer(2)),
            (#"{"jsonrpc":"2.0","id":3,"method":"ping","params":[1]}"#, .invalidParams, .integer(3)),
        ]
        for (text, code, id) in cases {
            guard case .failure(let failure) = parse(text) else {
                Issue.record("\(text) was accepted")
                continue
            }
            #expect(failure.code == code, "\(text)")
            #expect(failure.id == id, "\(text)")
            #expect(failure.json.objectValue?["id"] == (id ?? .null))
        }
    }

    @Test func negotiatesTheAskedRevisionOrTheNewest() {
        #expect(MCPRevision.negotiate("2024-11-05") == .v2024_11_05)
        #expect(MCPRevision.negotiate("2025-06-18") == .v2025_06_18)
        #expect(MCPRevision.negotiate("1999-01-01") == .newest)
        #expect(MCPRevision.negotiate(nil) == .newest)
    }

    /// Lines are split at newlines, blank ones skipped, and a line past the limit is reported
    /// once and skipped without being held, whatever chunks it arrives in.
    @Test func splitsLinesAndSkipsOversizedOnes() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let writeEnd = fds[1]
        let long = [UInt8](repeating: 0x61, count: MCPMessage.maxBytes + 10)
        let writer = Thread {
            var bytes = Array("{\"a\":1}\n\n  \n".utf8) + long + Array("\n{\"b\":2}".utf8)
            bytes.withUnsafeMutableBytes { raw in
                var offset = 0
                while offset < raw.count { offset += max(0, write(writeEnd, raw.baseAddress! + offset, min(4096, raw.count - offset))) }
            }
            close(writeEnd)
        }
        writer.start()
        var lines: [String] = []
        MCPLineChannel.readLines(from: fds[0]) { read in
            switch read {
            case .line(let data): lines.append(String(decoding: data, as: UTF8.self))
            case .tooLong: lines.append("<too long>")
            }
        }
        close(fds[0])
        #expect(lines == [#"{"a":1}"#, "<too long>", #"{"b":2}"#])
    }

    /// dryad's own tools are described by constant schemas: each must parse, and be an object's
    /// schema as MCP requires (a client refuses the whole listing otherwise).
    @Test func ownToolSchemasAreObjectSchemas() {
        for tool in MCPOwnTool.memoryTools + [MCPOwnTool.searchTools] {
            #expect(MCPToolDescriptor.describesObject(tool.inputSchema), "\(tool.name)")
        }
        #expect(Set((MCPOwnTool.memoryTools + [MCPOwnTool.searchTools]).map(\.name)).count == 7)
    }
}
