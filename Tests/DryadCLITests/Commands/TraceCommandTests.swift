import DryadTestSupport
import Foundation
import Testing

/// Runs in memory contexts through the built binary (issue 23): the planning document's
/// scenario as an agent would type it, the trace as a log and as JSON lines, and what an
/// agent without access gets (not found, exit 3).
@Suite struct TraceCommandTests {
    let cli: CLIHarness

    init() throws {
        cli = try CLIHarness()
        for name in ["planner", "critic"] { #expect(try cli.run(["principals", "add", name, "--type", "agent"]).status == 0) }
        let tools = [
            ("summarize", #"read -r line; printf '{"summary": %s}' "$line""#),
            ("breaker", "echo 'boom at step 3' >&2; exit 3"),
        ]
        for (name, script) in tools {
            let registered = try cli.run(["tools", "register", name, "--description", "d", "--command", "/bin/sh", "--command", "-c", "--command", script])
            #expect(registered.status == 0, "\(registered.stderr)")
            #expect(try cli.run(["perms", "grant", name, "--principal", "planner", "--level", "execute"]).status == 0)
            #expect(try cli.run(["perms", "grant", name, "--principal", "critic", "--level", "read"]).status == 0)
        }
    }

    func object(_ result: RunResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], sourceLocation: sourceLocation)
    }

    @Test func theScenarioThroughTheBinary() throws {
        let stored = try object(
            cli.run(["memory", "store", "--agent", "planner", "--data", #"{"task": {"topic": "tides"}}"#, "--as", "planner", "-o", "json"]))
        let id = try #require(stored["id"] as? String)

        let ran = try object(
            cli.run([
                "tools", "execute", "summarize", "--context", id, "--input-from", "/task", "--input", #"{"depth": 3}"#, "--store-output", "/result",
                "--as", "planner", "-o", "json",
            ]))
        #expect(ran["context_id"] as? String == id)
        #expect((ran["input"] as? [String: Any])?["topic"] as? String == "tides")
        let storedOutput = try #require(ran["stored_output"] as? [String: Any])
        #expect(storedOutput["stored"] as? Bool == true)
        #expect(storedOutput["version"] as? Int == 2)
        let afterRun = try object(cli.run(["memory", "get", id, "--as", "planner", "-o", "json"]))
        #expect(((afterRun["data"] as? [String: Any])?["result"] as? [String: Any])?["summary"] != nil)

        let failed = try cli.run(["tools", "execute", "breaker", "--context", id, "--as", "planner"])
        #expect(failed.status == 6)
        let errors = try cli.run(["errors", "list", "--context", id, "--as", "planner", "-o", "jsonl"]).stdout.split(separator: "\n")
        #expect(errors.count == 1)
        #expect(errors.first?.contains(#""error_type":"tool.failed""#) == true)
        #expect(errors.first?.contains("boom at step 3") == true)

        // The trace reads like a log, oldest first; JSON lines carry one event each with its kind.
        let log = try cli.run(["trace", id, "--as", "planner"])
        #expect(log.status == 0, "\(log.stderr)")
        let lines = log.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("AT") == true)
        #expect(log.stdout.contains("summarize@1.0.0 succeeded in"))
        #expect(log.stdout.contains("output stored as version 2"))
        #expect(log.stdout.contains("tool.failed: tool breaker@1.0.0: exit code 3: boom at step 3"))
        let kinds = try cli.run(["trace", id, "--as", "planner", "-o", "jsonl"]).stdout.split(separator: "\n").map { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["kind"] as? String ?? "?"
        }
        #expect(kinds.filter { $0 != "decision" } == ["version", "run", "version", "run", "error"])

        let withRuns = try object(cli.run(["memory", "get", id, "--with-runs", "--as", "planner", "-o", "json"]))
        #expect((withRuns["runs"] as? [Any])?.count == 2)
        #expect((withRuns["open_errors"] as? [Any])?.count == 1)
        #expect(try cli.run(["tools", "history", "summarize", "--context", id, "-o", "jsonl"]).stdout.split(separator: "\n").count == 1)
        #expect(try cli.run(["executions", "list", "--context", id, "-o", "jsonl"]).stdout.split(separator: "\n").count == 2)

        // The critic, who may read both tools but not the context, sees none of it.
        let missing = "dryad: error: context \(id) not found\n"
        for arguments in [["trace", id], ["memory", "get", id, "--with-runs"], ["tools", "execute", "summarize", "--context", id]] {
            let refused = try cli.run(arguments + ["--as", "critic"])
            #expect(refused.status == 3)
            #expect(refused.stderr == missing)
        }
        #expect(try cli.run(["tools", "history", "summarize", "--as", "critic", "-o", "jsonl"]).stdout == "")
        #expect(try cli.run(["executions", "show", try #require(ran["id"] as? String), "--as", "critic"]).status == 3)
    }

    @Test func flagsThatNeedAContextAreRefused() throws {
        let needsContext = try cli.run(["tools", "execute", "summarize", "--store-output", "/x"])
        #expect(needsContext.status == 64)
        #expect(needsContext.stderr.contains("--input-from and --store-output need --context"))
        let needsStore = try cli.run(["tools", "execute", "summarize", "--context", "c", "--if-version", "2"])
        #expect(needsStore.status == 64)
        let stored = try object(cli.run(["memory", "store", "--agent", "planner", "-o", "json"]))
        let id = try #require(stored["id"] as? String)
        let badPointer = try cli.run(["tools", "execute", "summarize", "--context", id, "--input-from", "task"])
        #expect(badPointer.status == 65)
        #expect(badPointer.stderr.hasPrefix("dryad: error: input_from: \"task\" is not a JSON pointer"))
        #expect(try cli.run(["trace", "nope"]).status == 3)
        #expect(try cli.run(["trace", id, "--since", "yesterday"]).status == 65)
    }
}
