#!/usr/bin/env python3
"""dryad as an MCP gateway: real upstream MCP servers (Tests/mcp/upstream_server.py, written
with the official `mcp` package) over stdio and Streamable HTTP, synced into dryad and called
through the CLI, REST and dryad's own /mcp (the official Python client), with permissions,
audit, schema-change versioning, a crash and restart, and a timeout.

Usage: Tests/mcp/gateway_test.py path/to/dryad   (run by Tests/mcp/run.sh in a venv with mcp)
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import anyio
import httpx2
from mcp import Client, types
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from serve import start_serve
from mcp.shared.exceptions import MCPError

DRYAD = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.dirname(os.path.dirname(sys.executable))
SITE = [p for p in sys.path if p.startswith(VENV) and p.endswith("site-packages")][0]
WORK = tempfile.mkdtemp(prefix="dryad-gateway-")
# The upstream runs as dryad's tool user when dryad is root: its log folder must be open to it.
SHARED = os.path.join(WORK, "shared")
os.mkdir(SHARED)
os.chmod(SHARED, 0o777)
os.chmod(WORK, 0o755)
CALLS = os.path.join(SHARED, "calls.log")
VARIANT = os.path.join(SHARED, "variant")
ENV = {**os.environ, "DRYAD_DB": os.path.join(WORK, "dryad.db"), "UPSTREAM_SECRET": "s3cret"}
ENV.pop("DRYAD_TOKEN", None)
ENV.pop("DRYAD_AS", None)

PASSED = []


def passed(name):
    PASSED.append(name)
    print(f"ok - gateway: {name}", flush=True)


def run(*args, as_=None):
    prefix = ["--as", as_] if as_ else []
    return subprocess.run([DRYAD, *args, *prefix], env=ENV, capture_output=True, text=True)


def dryad(*args, as_=None):
    done = run(*args, as_=as_)
    if done.returncode != 0:
        raise AssertionError(f"dryad {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def dryad_json(*args, as_=None):
    return json.loads(dryad(*args, "-o", "json", as_=as_))


def calls():
    return open(CALLS).read().split() if os.path.exists(CALLS) else []


def runs(tool):
    """The runs of `tool`, newest first."""
    return [r for r in dryad_json("executions", "list", "--limit", "1000")["items"] if r["tool_name"] == tool]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The contained upstream runs as dryad's tool user, which cannot read an interpreter under
# /root (pyenv): it runs the system's python3 with this venv's packages, so the two must agree.
SYSTEM_PYTHON = "/usr/bin/python3"
_system = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True).stdout.strip()
assert _system == str(tuple(sys.version_info[:2])), f"{SYSTEM_PYTHON} is {_system}, the venv's python is {sys.version_info[:2]}"


def stdio_server_args():
    python = SYSTEM_PYTHON
    return ["--command", python, "--command", os.path.join(HERE, "upstream_server.py"),
            "--env", f"PYTHONPATH={SITE}", "--env", f"UPSTREAM_LOG={CALLS}", "--env", f"UPSTREAM_VARIANT={VARIANT}",
            "--allow-read", VENV, "--allow-read", HERE, "--allow-write", SHARED]


def check_servers():
    dryad("principals", "add", "agent", "--type", "agent")
    refused = run("servers", "add", "rogue", "--command", "/bin/true", as_="agent")
    assert refused.returncode == 4 and "admin" in refused.stderr, (refused.returncode, refused.stderr)
    added = dryad_json("servers", "add", "up", *stdio_server_args())
    assert added["transport"]["kind"] == "stdio" and added["synced_at"] is None, added
    passed("servers add is admin-only; a stdio server is registered with its sandbox")

    report = dryad_json("servers", "sync", "up")
    assert {"up__add", "up__delete_file", "up__slow", "up__crash", "up__fail", "up__retired"} <= set(report["added"]), report
    mapped = [n for n in report["added"] if n.startswith("up__files_read_v2-")]
    assert len(mapped) == 1, report
    assert report["upstream"] == {"name": "upstream-test", "version": "3.1.4"}, report
    tool = dryad_json("tools", "get", mapped[0])
    assert tool["executor"] == {"kind": "mcp", "server": "up", "tool": "files.read.v2", "timeout_seconds": 30}, tool
    assert tool["metadata"]["mcp"] == {"server": "up", "tool": "files.read.v2", "upstream_version": "3.1.4"}, tool
    assert dryad_json("tools", "get", "up__delete_file")["metadata"]["annotations"]["destructiveHint"] is True
    passed("sync registers each upstream tool as NAME__TOOL, maps names dryad cannot take, keeps the original")

    refused = run("servers", "sync", "up", as_="agent")
    assert refused.returncode == 4, refused.stderr
    assert calls() == [], calls()
    listed = dryad_json("servers", "list")["items"]
    assert listed[0]["name"] == "up" and listed[0]["synced_at"] and listed[0]["changed"] is False, listed
    passed("sync is admin-only; servers list shows the last sync")


def check_cli_calls():
    out = dryad_json("tools", "execute", "up__add", "--input", '{"a": 2, "b": 3}')
    assert out["status"] == "succeeded" and out["output"] == {"result": 5} and out["via"] == "cli", out
    passed("cli: a call goes upstream; structuredContent is the output")

    failed = run("tools", "execute", "up__fail", "--input", "{}")
    assert failed.returncode == 6 and "always fails" in failed.stderr or "Error executing tool" in failed.stderr, failed.stderr
    passed("cli: isError upstream is a failed run")

    dryad("perms", "grant", "up__add", "--principal", "agent", "--level", "execute")
    dryad("perms", "grant", "up__delete_file", "--principal", "agent", "--level", "read")
    before = calls()
    denied = run("tools", "execute", "up__delete_file", "--input", '{"path": "/etc/passwd"}', as_="agent")
    assert denied.returncode == 4, (denied.returncode, denied.stderr)
    assert calls() == before and "delete_file" not in calls(), calls()
    record = runs("up__delete_file")[0]
    assert record["status"] == "denied" and record["principal"] == "agent", record
    passed("cli: a principal without execute on up__delete_file cannot call it, and the upstream never sees the call")

    rejected = run("tools", "execute", "up__add", "--input", '{"a": "x", "b": 1}', as_="agent")
    assert rejected.returncode == 65 and calls() == before, rejected.stderr
    passed("cli: input is checked against the upstream schema before the call")

    started = time.monotonic()
    slow = run("tools", "execute", "up__slow", "--input", '{"seconds": 30}', "--timeout", "1", "-o", "json")
    assert slow.returncode == 6 and time.monotonic() - started < 10, (slow.returncode, slow.stderr)
    record = runs("up__slow")[0]
    assert record["status"] == "timed_out" and "cancelled upstream" in record["error"], record
    passed("cli: a slow upstream times out as timed_out, and the request is cancelled upstream")

    env = dryad_json("tools", "execute", "up__environment", "--input", "{}")["output"]
    text = json.dumps(env)
    assert "UPSTREAM_SECRET" not in text and "DRYAD_DB" not in text and "DRYAD_SERVER" in text, env
    passed("cli: the upstream's program sees none of dryad's environment")

    audit = dryad_json("audit", "list", "--action", "tools.execute", "--limit", "100")["items"]
    resources = {(e["principal"], e["resource"], e["decision"] == "allow") for e in audit}
    assert ("agent", "tool:up__delete_file@1.0.0", False) in resources, resources
    assert any(r == "tool:up__add@1.0.0" and ok for _, r, ok in resources), resources
    syncs = dryad_json("audit", "list", "--action", "servers.sync", "--limit", "100")["items"]
    assert ("agent", "deny") in {(e["principal"], e["decision"]) for e in syncs} and any(e["decision"] == "allow" for e in syncs), syncs
    passed("audit: every call and sync is in the trail, allowed or not")


def check_versioning():
    with open(VARIANT, "w") as f:
        f.write("2")
    report = dryad_json("servers", "sync", "up")
    assert report["versioned"] == ["up__add@1.1.0"], report
    assert report["deprecated"] == ["up__retired"], report
    assert "up__delete_file" in report["unchanged"], report
    add = dryad_json("tools", "get", "up__add")
    assert add["version"] == "1.1.0" and "c" in add["input_schema"]["properties"], add
    assert dryad_json("tools", "get", "up__retired")["status"] == "deprecated"
    assert dryad_json("tools", "get", "up__add@1.0.0")["version"] == "1.0.0"
    out = dryad_json("tools", "execute", "up__add", "--input", '{"a": 1, "b": 2, "c": 3}')
    assert out["output"] == {"result": 6}, out
    passed("a changed upstream schema is a new version; a tool gone upstream is deprecated, not deleted")
    os.remove(VARIANT)
    report = dryad_json("servers", "sync", "up")
    assert report["versioned"] == ["up__add@1.2.0"] and report["updated"] == ["up__retired"], report
    passed("a tool back upstream is active again")


async def check_serve():
    upstream_port = free_port()
    http_upstream = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "upstream_server.py"), "http", str(upstream_port)],
        env={**ENV, "UPSTREAM_LOG": os.path.join(WORK, "http-calls.log")}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server, address = start_serve(DRYAD, ENV, WORK)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", upstream_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        refused = run("servers", "add", "web", "--url", f"http://127.0.0.1:{upstream_port}/mcp")
        assert refused.returncode != 0 or "private" in run("servers", "sync", "web").stderr
        run("servers", "remove", "web")
        dryad("servers", "add", "web", "--url", f"http://127.0.0.1:{upstream_port}/mcp", "--allow-private",
              "--header", "X-Secret: ${UPSTREAM_SECRET}", "--include", "add", "--include", "gr*", "--auto-sync")
        report = dryad_json("servers", "sync", "web")
        assert sorted(report["added"]) == ["web__add", "web__grow"], report
        passed("http: a Streamable HTTP server syncs; --include chooses the tools taken")

        manifest = os.path.join(WORK, "server.json")
        with open(manifest, "w") as f:
            json.dump({"$schema": "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json",
                       "name": "io.example/listed", "version": "3.1.4", "description": "from the registry",
                       "remotes": [{"type": "streamable-http", "url": f"http://127.0.0.1:{upstream_port}/mcp",
                                    "headers": [{"name": "X-Key", "value": "{upstream_secret}", "isSecret": True}]}]}, f)
        added = dryad_json("servers", "add", "--file", manifest, "--allow-private", "--prefix", "reg")
        assert added["name"] == "listed" and added["transport"]["headers"] == {"X-Key": "${UPSTREAM_SECRET}"}, added
        assert added["ignored"] == ["$schema", "description", "version"] and added["variables"] == ["UPSTREAM_SECRET"], added
        assert "reg__add" in dryad_json("servers", "sync", "listed")["added"]
        passed("server.json: a registry manifest registers its remote; unused fields are listed, not refused")

        token = dryad("tokens", "issue", "agent", "--ttl", "1h").strip()
        bearer = {"Authorization": f"Bearer {token}"}
        async with httpx2.AsyncClient(timeout=30) as raw:
            response = await raw.post(f"{address}/api/v1/tools/up__add/execute", json={"a": 20, "b": 22}, headers=bearer)
            assert response.status_code == 200 and response.json()["output"] == {"result": 42}, response.text
            assert response.json()["via"] == "api"
            passed("rest: an agent's call goes upstream through dryad serve")

            response = await raw.post(f"{address}/api/v1/tools/up__delete_file/execute", json={"path": "/x"}, headers=bearer)
            assert response.status_code == 403 and "delete_file" not in calls(), response.text
            passed("rest: the call the agent may not make never reaches the upstream")

        dryad("perms", "grant", "web__add", "--principal", "agent", "--level", "execute")
        async with create_mcp_http_client(headers=bearer) as http:
            async with Client(streamable_http_client(f"{address}/mcp", http_client=http)) as client:
                names = {t.name for t in (await client.list_tools(cache_mode="bypass")).tools}
                # dryad's own memory tools and search_tools beside the upstream tools the agent may run.
                assert {n for n in names if "__" in n} == {"up__add", "web__add"}, names
                result = await client.call_tool("up__add", {"a": 1, "b": 2})
                assert not result.is_error and result.structured_content == {"result": 3}, result
                result = await client.call_tool("web__add", {"a": 5, "b": 6})
                assert not result.is_error and result.structured_content == {"result": 11}, result
                try:
                    await client.call_tool("up__delete_file", {"path": "/x"})
                    raise AssertionError("up__delete_file was callable")
                except MCPError as error:
                    assert "unknown tool" in str(error), error
        assert "delete_file" not in calls()
        records = runs("web__add")
        assert records[0]["via"] == "mcp" and records[0]["status"] == "succeeded", records
        passed("mcp: an agent on dryad's /mcp sees and calls only the upstream tools it may execute")

        # One process serves every call: a crash fails the call in flight, the next call restarts it.
        dryad("perms", "grant", "up__crash", "--principal", "agent", "--level", "execute")
        async with httpx2.AsyncClient(timeout=30) as raw:
            response = await raw.post(f"{address}/api/v1/tools/up__crash/execute", json={}, headers=bearer)
            # A run that ran answers 200 with its record, as every failed run does over REST.
            record = response.json()
            assert response.status_code == 200 and record["status"] == "failed", response.text
            assert "its process ended (exit code 3)" in record["error"], record
            response = await raw.post(f"{address}/api/v1/tools/up__add/execute", json={"a": 1, "b": 2}, headers=bearer)
            assert response.status_code == 200 and response.json()["output"] == {"result": 3}, response.text
        passed("a crashed upstream is a clear failed run, and the next call restarts it")

        dryad("perms", "grant", "up__grow", "--principal", "agent", "--level", "execute")
        async with httpx2.AsyncClient(timeout=30) as raw:
            response = await raw.post(f"{address}/api/v1/tools/up__grow/execute", json={}, headers=bearer)
            assert response.status_code == 200 and response.json()["status"] == "succeeded", response.text
        for _ in range(50):
            if dryad_json("servers", "get", "up")["changed"]:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("server up was not marked changed after list_changed")
        assert run("tools", "get", "up__grown").returncode == 3
        passed("an upstream tools/list_changed marks the server changed; without --auto-sync nothing else changes")

        dryad("perms", "grant", "web__grow", "--principal", "agent", "--level", "execute")
        notes = []

        async def on_message(message):
            if isinstance(message, types.ServerNotification):
                notes.append(type(message.root if hasattr(message, "root") else message).__name__)

        # An agent's own session on dryad hears of the tools the automatic sync brings.
        agent_stdio = StdioServerParameters(command=DRYAD, args=["mcp", "--as", "agent"], env=ENV)
        async with Client(agent_stdio, mode="legacy", message_handler=on_message) as watcher:
            await watcher.list_tools()
            async with httpx2.AsyncClient(timeout=30) as raw:
                response = await raw.post(f"{address}/api/v1/tools/web__grow/execute", json={}, headers=bearer)
                assert response.status_code == 200, response.text
            for _ in range(100):
                if run("tools", "get", "web__grown").returncode == 0 and "ToolListChangedNotification" in notes:
                    break
                await anyio.sleep(0.1)
            else:
                raise AssertionError(f"web__grown was not synced, or no list_changed reached dryad's client: {notes}")
        syncs = dryad_json("audit", "list", "--action", "servers.sync", "--principal", "local:dryad")["items"]
        assert syncs and syncs[0]["decision"] == "allow", syncs
        passed("an upstream tools/list_changed syncs a server added with --auto-sync (audited as local:dryad), "
               "and dryad's own clients get their list_changed")
    finally:
        server.terminate()
        server.wait(10)
        http_upstream.terminate()
        http_upstream.wait(10)


async def main():
    check_servers()
    check_cli_calls()
    check_versioning()
    await check_serve()
    print(f"{len(PASSED)} gateway checks passed")


if __name__ == "__main__":
    anyio.run(main)
