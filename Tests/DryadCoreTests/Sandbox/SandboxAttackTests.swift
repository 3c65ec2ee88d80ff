import DryadTestSupport
import Foundation
import GRDB
import Testing

@testable import DryadCore

/// Each escape the security review found, performed by a contained tool, and each one failing.
/// The tools are Python and sh from /usr and /bin, as a real tool would be.
@Suite struct SandboxAttackTests {
    let folder: TemporaryFolder
    let database: DryadDatabase
    let runner: ToolRunner
    let files: ToolFiles

    init() throws {
        folder = try TemporaryFolder()
        database = try DryadDatabase(path: folder.path + "/d.db")
        runner = database.executor(environment: ["PATH": "/usr/bin:/bin", "OPENAI_API_KEY": "sk-live-secret", "HOME": "/root"])
        files = try ToolFiles()
    }

    /// Registers a Python tool (`python3 -c SCRIPT`) and runs it; returns the record.
    func python(_ name: String, _ script: String, sandbox: SandboxPolicy = .standard, timeout: Double = 20) async throws -> ExecutionRecord {
        var tool = definition(name)
        tool.executor = .command(CommandEndpoint(argv: ["/usr/bin/python3", "-c", script], timeoutSeconds: timeout, sandbox: sandbox))
        _ = try await database.tools.register([tool], as: testOperator)
        return try await runner.execute(.nameOrID(name), input: .object([:]), as: testOperator).record
    }

    /// What each `open()` of `paths` gave: "opened" or the error's name.
    static let tryOpening = """
        import json, os, sys
        result = {}
        for path in sys.argv[1:]:
            try:
                if os.path.isdir(path): os.listdir(path)
                else: open(path, "rb").read(16)
                result[path] = "opened"
            except OSError as e:
                result[path] = type(e).__name__
        print(json.dumps(result))
        """

    func attempts(_ name: String, _ paths: [String], sandbox: SandboxPolicy = .standard) async throws -> [String: String] {
        var tool = definition(name)
        tool.executor = .command(CommandEndpoint(argv: ["/usr/bin/python3", "-c", Self.tryOpening] + paths, sandbox: sandbox))
        _ = try await database.tools.register([tool], as: testOperator)
        let record = try await runner.execute(.nameOrID(name), input: .object([:]), as: testOperator).record
        #expect(record.status == .succeeded, "\(record.error ?? "")")
        return (record.output?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    @Test func theDatabaseItsFolderKeyFileAndBackupsCannotBeOpened() async throws {
        // Some activity, so -wal and -shm exist, and a token, so the key file does.
        _ = try await database.tools.list(ToolQuery(), as: testOperator)
        _ = try await database.principals.add("agent", type: .service, role: .member, as: testOperator)
        _ = try await database.tokens.issue(for: "agent", as: testOperator)
        #expect(FileManager.default.fileExists(atPath: database.keyring.path))
        // Backups beside the database and elsewhere (here under /tmp, which a tool cannot read).
        let elsewhere = try TemporaryFolder()
        let backups = [folder.path + "/backup.db", elsewhere.path + "/backup.db"]
        for backup in backups { try await database.backup(to: backup, as: testOperator) }
        let paths = [database.path, database.path + "-wal", database.path + "-shm", folder.path, database.keyring.path] + backups
        let result = try await attempts("reader", paths)
        for path in paths { #expect(result[path] == "PermissionError", "\(path): \(result[path] ?? "?")") }
    }

    @Test func dryadsProcEntriesCannotBeRead() async throws {
        let me = getpid()
        let paths = ["/proc/\(me)/environ", "/proc/\(me)/fd", "/proc/\(me)/cwd/d.db", "/proc/\(me)/mem", "/proc/1/environ", "/proc/self/environ"]
        let result = try await attempts("proc", paths)
        for path in paths { #expect(result[path] == "PermissionError", "\(path): \(result[path] ?? "?")") }
    }

    /// The review's attack, as written: dryad's environment, descriptors and key table through its parent's /proc.
    @Test func theReviewersShellAttackFindsNothing() async throws {
        var tool = definition("steal")
        // Everything it prints, errors too, goes to stdout, so a leak anywhere would show.
        let script = #"{ tr "\0" "\n" </proc/$PPID/environ; ls -l /proc/$PPID/fd; ls /proc/$PPID/cwd; } 2>&1; echo "parent=$PPID""#
        tool.executor = .command(CommandEndpoint(argv: ["/bin/sh", "-c", script]))
        _ = try await database.tools.register([tool], as: testOperator)
        let record = try await runner.execute(.nameOrID("steal"), input: .object([:]), as: testOperator).record
        let everything = (record.output?.stringValue ?? "") + (record.error ?? "")
        #expect(!everything.contains("sk-live-secret"))
        #expect(!everything.contains("d.db"))
        #expect(record.status == .succeeded)
        #expect(everything.components(separatedBy: "Permission denied").count == 4, "\(everything)")
    }

    @Test func dryadCannotBeSignalledOrTraced() async throws {
        let record = try await python(
            "signal",
            """
            import ctypes, os
            results = []
            try:
                os.kill(\(getpid()), 0); results.append("signal sent")
            except OSError as e: results.append(type(e).__name__)
            libc = ctypes.CDLL(None, use_errno=True)
            results.append("traced" if libc.ptrace(16, \(getpid()), 0, 0) == 0 else "ptrace errno %d" % ctypes.get_errno())
            print(" ".join(results))
            """)
        let output = try #require(record.output?.stringValue, "\(record.error ?? "")")
        #expect(output.hasPrefix("PermissionError ptrace errno 1"), "\(output)")
    }

    @Test func theNetworkIsOffUnlessRegistered() async throws {
        let script = """
            import socket
            results = []
            for family, kind in [(socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM), (socket.AF_INET6, socket.SOCK_STREAM), (socket.AF_NETLINK, socket.SOCK_RAW), (socket.AF_PACKET, socket.SOCK_RAW)]:
                try:
                    s = socket.socket(family, kind); s.close(); results.append("open")
                except OSError as e:
                    results.append(type(e).__name__)
            try:
                a, b = socket.socketpair(); results.append("pair")
            except OSError as e:
                results.append(type(e).__name__)
            print(" ".join(results))
            """
        let closed = try await python("offline", script)
        #expect(closed.output == .string("PermissionError PermissionError PermissionError PermissionError PermissionError pair\n"), "\(closed.error ?? "")")

        let listen =
            "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); c = socket.create_connection(s.getsockname()); print('connected')"
        let online = try await python("online", listen, sandbox: SandboxPolicy(network: true))
        #expect(online.output == .string("connected\n"), "\(online.error ?? "")")
        let offline = try await python("listen-offline", listen)
        #expect(offline.status == .failed)
        #expect(offline.error?.contains("PermissionError") == true)
    }

    @Test func theSystemIsReadOnlyAndOnlyGrantedPathsAreWritable() async throws {
        let readable = try ToolFiles()
        try "data".write(toFile: readable.path + "/input.txt", atomically: true, encoding: .utf8)
        let record = try await python(
            "writer",
            """
            import os
            results = []
            for path in ["/usr/pwned", "/etc/pwned", "/tmp/pwned", "\(readable.path)/pwned", "\(files.path)/written", os.environ["HOME"] + "/scratch"]:
                try:
                    open(path, "w").write("x"); results.append("wrote")
                except OSError as e:
                    results.append(type(e).__name__)
            results.append(open("\(readable.path)/input.txt").read())
            print(" ".join(results))
            """, sandbox: SandboxPolicy(allowRead: [readable.path], allowWrite: [files.path]))
        #expect(
            record.output == .string("PermissionError PermissionError PermissionError PermissionError wrote wrote data\n"),
            "\(record.error ?? "")")
        #expect(FileManager.default.fileExists(atPath: files.path + "/written"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
    }

    @Test func itRunsAsNobodyWithoutPrivilegesAndWithLimits() async throws {
        try #require(geteuid() == 0, "dryad switches the tool user only when it runs as root")
        let record = try await python(
            "who",
            """
            import ctypes, os, resource
            libc = ctypes.CDLL(None)
            print(os.getuid(), os.getgid(), os.getgroups(), libc.prctl(39, 0, 0, 0, 0),
                  resource.getrlimit(resource.RLIMIT_NOFILE)[0], resource.getrlimit(resource.RLIMIT_AS)[0] >> 20,
                  resource.getrlimit(resource.RLIMIT_CPU)[0])
            """)
        // uid, gid, no supplementary groups, no_new_privs set, 256 files, 2 GiB, timeout + 1 CPU seconds.
        // (Processes are limited by the run's cgroup: RLIMIT_NPROC would count every process of the user.)
        #expect(record.output == .string("65534 65534 [] 1 256 2048 21\n"), "\(record.error ?? "")")
    }

    @Test func aForkBombEndsTheRunNotTheMachine() async throws {
        let record = try await python(
            "bomb",
            """
            import os, time
            children = 0
            try:
                while children < 10000:
                    if os.fork() == 0:
                        time.sleep(300); os._exit(0)
                    children += 1
            except OSError as e:
                print(children, type(e).__name__)
            """, timeout: 20)
        let output = try #require(record.output?.stringValue, "\(record.error ?? "")")
        let started = try #require(Int(output.split(separator: " ")[0]))
        #expect(started < 64 && output.hasSuffix("BlockingIOError\n"), "\(output)")
        // Its sleeping children went with it: no process of the run's cgroup is left.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup/pids").filter { $0.hasPrefix("dryad-run-\(record.id)") }
        #expect(leftovers.isEmpty)
    }

    @Test func nothingItStartsOutlivesTheRunNotEvenAfterSetsid() async throws {
        var tool = definition("daemon")
        let pids = files.path + "/pids"
        tool.executor = .command(
            CommandEndpoint(
                argv: ["/bin/sh", "-c", "setsid sleep 777 & echo $! > \(pids); (setsid sh -c 'sleep 778 & echo $! >> \(pids)' &); sleep 0.3"],
                sandbox: SandboxPolicy(allowWrite: [files.path])))
        _ = try await database.tools.register([tool], as: testOperator)
        let record = try await runner.execute(.nameOrID("daemon"), input: .object([:]), as: testOperator).record
        #expect(record.status == .succeeded, "\(record.error ?? "")")
        let started = try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        #expect(started.count == 2)
        for pid in started { #expect(!isAlive(pid), "process \(pid) outlived the run") }
    }

    @Test func aPathThatReachesDryadsFilesRefusesTheRun() async throws {
        for (name, policy) in [
            ("parent", SandboxPolicy(allowRead: [URL(fileURLWithPath: folder.path).deletingLastPathComponent().path])),
            ("folder", SandboxPolicy(allowWrite: [folder.path])), ("file", SandboxPolicy(allowRead: [database.path])),
        ] {
            let record = try await python(name, "print('ran')", sandbox: policy)
            #expect(record.status == .failed)
            #expect(
                record.error?.hasPrefix("sandbox: ") == true && record.error?.contains("would let the tool reach dryad's own") == true, "\(record.error ?? "")")
        }
    }

    /// Fail closed: what cannot be set up refuses the run with the property named.
    @Test func whatCannotBeSetUpRefusesTheRun() async throws {
        var tool = definition("plain")
        tool.executor = .command(CommandEndpoint(argv: ["/bin/true"]))
        _ = try await database.tools.register([tool], as: testOperator)
        let noCgroup = database.executor(environment: ["PATH": "/bin"], sandbox: SandboxSettings(cgroup: folder.path + "/nowhere"))
        let refused = try await noCgroup.execute(.nameOrID("plain"), input: .object([:]), as: testOperator).record
        #expect(refused.status == .failed)
        #expect(refused.error?.hasPrefix("sandbox: DRYAD_CGROUP") == true, "\(refused.error ?? "")")
        if geteuid() == 0 {
            let ghost = database.executor(environment: ["PATH": "/bin"], sandbox: SandboxSettings(toolUser: "no-such-user"))
            let record = try await ghost.execute(.nameOrID("plain"), input: .object([:]), as: testOperator).record
            #expect(record.error == "sandbox: tool user no-such-user does not exist")
            let root = database.executor(environment: ["PATH": "/bin"], sandbox: SandboxSettings(toolUser: "root"))
            let rooted = try await root.execute(.nameOrID("plain"), input: .object([:]), as: testOperator).record
            #expect(rooted.error == "sandbox: tool user root is root; tools must run unprivileged")
        }
    }

    /// `--sandbox none` runs as dryad, as before; the trail says each run was unconfined.
    @Test func anUnconfinedToolRunsAsDryadAndIsAuditedSo() async throws {
        let record = try await python("trusted", "import os; print(os.getuid())", sandbox: SandboxPolicy(mode: .none))
        #expect(record.output == .integer(Int64(geteuid())))
        let contained = try await python("confined", "print('ok')")
        #expect(contained.status == .succeeded)
        let trail = try await database.audit.list(AuditQuery(action: AuditAction.toolsExecute.rawValue), as: testOperator).items
        #expect(trail.first { $0.resource == "tool:trusted@1.0.0" }?.reason.hasSuffix("; unconfined (sandbox none)") == true)
        #expect(trail.first { $0.resource == "tool:confined@1.0.0" }?.reason.contains("unconfined") == false)
        let unconfined = try await database.tools.list(ToolQuery(sandbox: SandboxPolicy.Mode.none), as: testOperator).items.map(\.name)
        #expect(unconfined == ["trusted"])
    }

    /// Tools registered before the sandbox keep working: the v9 migration gives them the
    /// network and their cwd; a new registration gets the defaults.
    @Test func olderToolsMigrateWithTheNetworkAndTheirWorkingFolder() async throws {
        var tool = definition("old")
        tool.executor = .command(CommandEndpoint(argv: ["/bin/pwd"], cwd: files.path))
        _ = try await database.tools.register([tool], as: testOperator)
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE tool_version SET executor = json_remove(executor, '$.sandbox')")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v9-command-sandbox'")
        }
        let reopened = try DryadDatabase(path: database.path)
        let migrated = try await reopened.tools.get(.nameOrID("old"), as: testOperator)
        guard case .command(let command)? = migrated.executor else { Issue.record("no command"); return }
        #expect(command.sandbox == SandboxPolicy(network: true, allowWrite: [files.path]))
        let record = try await reopened.executor(environment: ["PATH": "/bin"]).execute(.nameOrID("old"), input: .object([:]), as: testOperator).record
        #expect(record.output == .string(files.path + "\n"), "\(record.error ?? "")")
    }

    /// Another run is out of reach too: each run is its own Landlock domain, so a tool cannot
    /// signal, trace or read the /proc of a run beside it, though both run as the same user.
    @Test func anotherRunCannotBeSignalledOrRead() async throws {
        let pidFile = files.path + "/victim"
        var victim = definition("victim")
        victim.executor = .command(
            CommandEndpoint(argv: ["/bin/sh", "-c", "echo $$ > \(pidFile); sleep 60"], sandbox: SandboxPolicy(allowWrite: [files.path])))
        _ = try await database.tools.register([victim], as: testOperator)
        let running = Task { try await runner.execute(.nameOrID("victim"), input: .object([:]), as: testOperator) }
        for _ in 0..<200 where (try? String(contentsOfFile: pidFile, encoding: .utf8))?.hasSuffix("\n") != true {
            try await Task.sleep(for: .milliseconds(20))
        }
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let attack = try await attempts("neighbour-proc", ["/proc/\(pid)/environ", "/proc/\(pid)/cwd"])
        #expect(attack.values.allSatisfy { $0 == "PermissionError" }, "\(attack)")
        #expect(isAlive(pid))
        let signal = try await python(
            "neighbour-kill", "import os\ntry:\n    os.kill(\(pid), 9); print('killed')\nexcept OSError as e: print(type(e).__name__, e.errno)")
        #expect(signal.output == .string("PermissionError 1\n"), "\(signal.error ?? "")")
        #expect(isAlive(pid))
        running.cancel()
        _ = try await running.value
    }

    /// Loosening the sandbox is choosing what a tool may do: a write grant is not enough.
    @Test func onlyAnAdminLoosensTheSandbox() async throws {
        var tool = definition("t")
        tool.executor = .command(CommandEndpoint(argv: ["/bin/true"]))
        _ = try await database.tools.register([tool], as: testOperator)
        let writer = try await database.principals.add("ci", type: .service, role: .member, as: testOperator).principal(requestID: "r")
        _ = try await database.permissions.grant("t", to: .principal("ci"), level: .write, as: testOperator)
        for loose in [SandboxPolicy(mode: .none), SandboxPolicy(network: true), SandboxPolicy(allowRead: ["/srv"])] {
            await #expect(throws: DryadError.permissionDenied("ci may not change what t runs: setting an executor needs the admin role")) {
                _ = try await database.tools.update(
                    .nameOrID("t"), ToolChanges(executor: .replace(.command(CommandEndpoint(argv: ["/bin/true"], sandbox: loose)))), as: writer)
            }
        }
    }
}
