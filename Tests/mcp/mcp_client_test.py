#!/usr/bin/env python3
"""Drives `dryad mcp` (stdio) and `dryad serve`'s `/mcp` (Streamable HTTP) with the official
MCP Python client, as an agent's host would, and checks what dryad recorded.

Usage: Tests/mcp/mcp_client_test.py path/to/dryad   (run by Tests/mcp/run.sh in a venv with mcp)
Exits 0 when every check passed; prints each check's name as it passes.
"""

import json
import os
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

DRYAD = os.path.abspath(sys.argv[1])
WORK = tempfile.mkdtemp(prefix="dryad-mcp-")
DB = os.path.join(WORK, "dryad.db")
ENV = {**os.environ, "DRYAD_DB": DB}
ENV.pop("DRYAD_TOKEN", None)
ENV.pop("DRYAD_AS", None)
BULK = 130  # more than one tools/list page (100)


def dryad(*args, check=True):
    """Runs the CLI as the local operator; returns stdout."""
    done = subprocess.run([DRYAD, *args], env=ENV, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"dryad {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def dryad_json(*args):
    return json.loads(dryad(*args, "-o", "json"))


def tool(name, argv, **extra):
    return {"name": name, "version": "1.0.0", "description": f"{name} for the MCP test", "input_schema": {"type": "object"},
            "executor": {"kind": "command", "argv": argv}, **extra}


def setup():
    dryad("principals", "add", "planner", "--type", "agent")
    dryad("principals", "add", "outsider", "--type", "agent")
    dryad("principals", "add", "alice", "--type", "user")
    definitions = [
        tool("echo", ["/bin/cat"], input_schema={"type": "object", "properties": {"msg": {"type": "string"}}, "required": ["msg"]},
             output_schema={"type": "object", "properties": {"msg": {"type": "string"}}}, tags=["demo"],
             metadata={"title": "Echo", "annotations": {"readOnlyHint": True}}),
        tool("fail", ["/bin/false"], tags=["demo"]),
        tool("nap", ["/bin/sleep", "30"], tags=["slow"]),
        tool("pause", ["/bin/sleep", "2"], tags=["slow"]),
        tool("hidden", ["/bin/cat"]),
    ] + [tool(f"bulk-{i:03d}", ["/bin/cat"], tags=["bulk"]) for i in range(BULK)]
    path = os.path.join(WORK, "tools.json")
    with open(path, "w") as f:
        json.dump(definitions, f)
    dryad("tools", "register", "--file", path)
    for name in ["echo", "fail", "nap", "pause"] + [f"bulk-{i:03d}" for i in range(BULK)]:
        dryad("perms", "grant", name, "--principal", "planner", "--level", "execute")
    dryad("perms", "grant", "echo", "--principal", "alice", "--level", "execute")
    # outsider may read echo but not execute it; hidden is readable by nobody but admins.
    dryad("perms", "grant", "echo", "--principal", "outsider", "--level", "read")
    context = dryad_json("memory", "store", "--agent", "planner", "--data", '{"goal": "ship"}', "--key", "project")
    return context["id"]


PASSED = []


def passed(name):
    PASSED.append(name)
    print(f"ok - {name}", flush=True)


def stdio(*args, env_extra=None):
    return StdioServerParameters(command=DRYAD, args=["mcp", *args], env={**ENV, **(env_extra or {})})


async def list_all(client):
    tools, cursor, pages = [], None, 0
    while True:
        page = await client.list_tools(cursor=cursor, cache_mode="bypass")
        pages += 1
        tools += page.tools
        cursor = page.next_cursor
        if not cursor:
            return tools, pages


async def check_tools(client, label):
    tools, pages = await list_all(client)
    names = {t.name for t in tools}
    assert pages >= 2, f"{label}: {len(tools)} tools came in {pages} page(s)"
    assert {"echo", "fail", "nap", "pause", "memory_store", "search_tools"} <= names, names
    assert "hidden" not in names and len([n for n in names if n.startswith("bulk-")]) == BULK
    echo = next(t for t in tools if t.name == "echo")
    assert echo.input_schema == {"type": "object", "properties": {"msg": {"type": "string"}}, "required": ["msg"]}, echo.input_schema
    assert echo.output_schema == {"type": "object", "properties": {"msg": {"type": "string"}}}
    assert echo.title == "Echo" and echo.annotations.read_only_hint is True
    assert echo.meta == {"dryad/version": "1.0.0", "dryad/tags": ["demo"]}, echo.meta
    passed(f"{label}: tools/list pages through every executable tool with schemas as registered")

    result = await client.call_tool("echo", {"msg": "hi"})
    assert not result.is_error and result.structured_content == {"msg": "hi"}, result
    execution = result.meta["dryad/execution_id"]
    record = dryad_json("executions", "show", execution)
    assert record["status"] == "succeeded" and record["principal"] == "planner", record
    assert record["via"] == "mcp", record
    # A session's runs name it; the stateless revision has no session to name.
    assert (record["mcp_session"] is None) == ("2026-07-28" in label), record
    passed(f"{label}: tools/call returns structured output and is recorded as a run via mcp")

    result = await client.call_tool("echo", {"msg": 3})
    assert result.is_error and "does not match the input schema" in result.content[0].text, result
    result = await client.call_tool("fail", {})
    assert result.is_error and "exit code 1" in result.content[0].text, result
    passed(f"{label}: rejected input and a failed run come back as isError with the reason")

    for name in ["hidden", "no-such-tool"]:
        try:
            await client.call_tool(name, {})
            raise AssertionError(f"{name} was called")
        except Exception as error:  # McpError
            assert f"unknown tool: {name}" in str(error), error
    passed(f"{label}: an unreadable tool and a missing one fail alike")


async def check_memory(client, label, context_id):
    key = "child-" + label.replace(" ", "-")
    stored = await client.call_tool("memory_store", {"data": {"step": 1}, "parent_id": context_id, "key": key})
    assert not stored.is_error, stored
    child = stored.structured_content
    assert child["agent_id"] == "planner" and child["parent_id"] == context_id
    got = await client.call_tool("memory_get", {"key": key, "resolved": True})
    resolved = got.structured_content["data"]
    assert resolved["goal"] == "ship" and resolved["step"] == 1, resolved
    updated = await client.call_tool("memory_update", {"id": child["id"], "patch": {"step": 2}, "if_version": 1})
    assert updated.structured_content["version"] == 2
    stale = await client.call_tool("memory_update", {"id": child["id"], "patch": {"step": 3}, "if_version": 1})
    assert stale.is_error, stale
    merged = await client.call_tool("memory_update", {"id": child["id"], "patch": {"note": "x"}, "if_version": 1, "on_conflict": "merge"})
    assert not merged.is_error and merged.structured_content["data"] == {"step": 2, "note": "x"}, merged.structured_content
    found = await client.call_tool("memory_search", {"query": "ship"})
    assert any(c["id"] == context_id for c in found.structured_content["items"]), found.structured_content
    parents = await client.call_tool("memory_parents", {"id": child["id"]})
    assert [c["id"] for c in parents.structured_content["items"]] == [context_id]
    logged = await client.call_tool("memory_log_error", {"type": "api.timeout", "message": "slow", "context_id": child["id"]})
    assert logged.structured_content["context_id"] == child["id"]
    typo = await client.call_tool("memory_store", {"data": {}, "ttl": 5})
    assert typo.is_error and "ttl" in typo.content[0].text, typo
    read = await client.read_resource(f"dryad://memory/context/{child['id']}/resolved", cache_mode="bypass")
    assert json.loads(read.contents[0].text)["data"]["goal"] == "ship"
    passed(f"{label}: memory tools store, read resolved, update with version checks and merge, search, parents, log errors")


async def check_cancel(client, label):
    before = {r["id"] for r in dryad_json("tools", "history", "nap")["items"]}
    with anyio.move_on_after(1.5):
        await client.call_tool("nap", {})
        raise AssertionError("nap finished")
    for _ in range(50):
        runs = [r for r in dryad_json("tools", "history", "nap")["items"] if r["id"] not in before]
        if runs:
            break
        # Not time.sleep: the client writes its cancellation from this event loop.
        await anyio.sleep(0.1)
    assert runs and runs[0]["status"] == "cancelled" and "cancelled" in runs[0]["error"], runs
    assert runs[0]["duration_ms"] < 10000, runs
    alive = subprocess.run(["pgrep", "-f", "/bin/sleep 30"], capture_output=True).stdout.strip()
    assert not alive, f"the tool is still running: {alive}"
    passed(f"{label}: a cancelled call kills the tool's process and is recorded")


async def check_progress(client, label):
    updates = []

    async def on_progress(progress, total, message):
        updates.append((progress, message))

    result = await client.call_tool("pause", {}, progress_callback=on_progress)
    assert not result.is_error, result
    assert updates and updates[0][0] >= 1 and "pause" in updates[0][1], updates
    passed(f"{label}: a lasting call reports progress")


async def check_listen(client, label, context_id):
    uri = f"dryad://memory/context/{context_id}"
    seen = set()
    async with client.listen(tools_list_changed=True, resource_subscriptions=[uri]) as events:
        dryad("tools", "register", "late-" + label.replace(" ", "-").replace(".", "-"), "--description", "registered while listening", "--command", "/bin/cat")
        dryad("memory", "update", context_id, "--data", json.dumps({"goal": "ship", "by": label}))
        with anyio.move_on_after(10):
            async for event in events:
                seen.add(type(event).__name__ + (f":{event.uri}" if hasattr(event, "uri") else ""))
                if len(seen) == 2:
                    break
    assert seen == {"ToolsListChanged", f"ResourceUpdated:{uri}"}, seen
    passed(f"{label}: subscriptions/listen reports a registration and a subscribed context's update")


async def stdio_checks(context_id):
    async with Client(stdio("--as", "planner"), mode="legacy") as client:
        assert client.server_info.name == "dryad" and client.protocol_version == "2025-11-25"
        await check_tools(client, "stdio")
        await check_memory(client, "stdio", context_id)
        await check_cancel(client, "stdio")
        await check_progress(client, "stdio")

    async with Client(stdio("--as", "planner"), mode="2026-07-28") as client:
        await check_tools(client, "stdio 2026-07-28")
        await check_memory(client, "stdio 2026-07-28", context_id)
        await check_cancel(client, "stdio 2026-07-28")
        await check_listen(client, "stdio 2026-07-28", context_id)

    async with Client(stdio("--as", "planner")) as client:
        assert client.protocol_version == "2026-07-28", client.protocol_version
    passed("stdio: a client's default negotiation finds the stateless revision")

    notes = []

    async def on_message(message):
        if isinstance(message, types.ServerNotification):
            notes.append(message)

    async with Client(stdio("--as", "planner"), mode="legacy", message_handler=on_message) as client:
        await client.session.subscribe_resource(f"dryad://memory/context/{context_id}")
        dryad("tools", "register", "late", "--description", "registered while a session is open", "--command", "/bin/cat")
        dryad("memory", "update", context_id, "--data", '{"goal": "ship", "phase": 2}')
        for _ in range(50):
            kinds = {type(n.root if hasattr(n, "root") else n).__name__ for n in notes}
            if {"ToolListChangedNotification", "ResourceUpdatedNotification"} <= kinds:
                break
            await anyio.sleep(0.1)
        assert {"ToolListChangedNotification", "ResourceUpdatedNotification"} <= kinds, kinds
        passed("stdio: tools/list_changed after a registration and resources/updated for a subscribed context")

    async with Client(stdio("--as", "outsider"), mode="legacy") as client:
        tools, _ = await list_all(client)
        assert {t.name for t in tools} == {"memory_store", "memory_get", "memory_search", "memory_update", "memory_parents",
                                            "memory_log_error", "search_tools"}, [t.name for t in tools]
        try:
            await client.call_tool("echo", {"msg": "x"})
            raise AssertionError("outsider ran echo")
        except Exception as error:
            assert "unknown tool: echo" in str(error), error
    denied = [r for r in dryad_json("tools", "history", "echo")["items"] if r["principal"] == "outsider"]
    assert denied and denied[0]["status"] == "denied", denied
    passed("stdio: a principal without execute sees no tool, its call fails as unknown and is recorded as denied")

    async with Client(stdio("--as", "alice"), mode="legacy") as client:
        tools, _ = await list_all(client)
        assert {t.name for t in tools} == {"echo", "search_tools"}, [t.name for t in tools]
    passed("stdio: a user is not offered memory tools")

    async with Client(stdio("--as", "planner", "--tag", "demo"), mode="legacy") as client:
        tools, _ = await list_all(client)
        assert {t.name for t in tools} - {"search_tools"} - {n for n in [t.name for t in tools] if n.startswith("memory_")} == {"echo", "fail"}
        try:
            await client.call_tool("bulk-001", {})
            raise AssertionError("a tool outside the tag was called")
        except Exception as error:
            assert "unknown tool" in str(error)
    passed("stdio: --tag serves and allows only the tagged tools")

    notes = []
    async with Client(stdio("--as", "planner", "--search-only"), mode="legacy", message_handler=on_message) as client:
        tools, _ = await list_all(client)
        assert {t.name for t in tools if not t.name.startswith("memory_")} == {"search_tools"}, [t.name for t in tools]
        found = await client.call_tool("search_tools", {"query": "bulk-00", "limit": 5})
        names = [t["name"] for t in found.structured_content["tools"]]
        assert len(names) == 5 and all(n.startswith("bulk-00") for n in names), names
        assert all(t["inputSchema"] == {"type": "object"} for t in found.structured_content["tools"])
        tools, _ = await list_all(client)
        assert set(names) <= {t.name for t in tools}, [t.name for t in tools]
        assert any(type(n.root if hasattr(n, "root") else n).__name__ == "ToolListChangedNotification" for n in notes), notes
    passed("stdio: --search-only lists search_tools, and what it finds joins the list with list_changed")

    done = subprocess.run([DRYAD, "mcp"], env=ENV, capture_output=True, text=True, input="")
    assert done.returncode == 64 and "--as" in done.stderr and done.stdout == "", (done.returncode, done.stderr)
    passed("stdio: dryad mcp refuses to start without a principal")

    issued = dryad_json("tokens", "issue", "planner", "--ttl", "1h")
    async with Client(stdio(env_extra={"DRYAD_TOKEN": issued["token"]}), mode="legacy") as client:
        assert not (await client.call_tool("echo", {"msg": "before"})).is_error
        dryad("tokens", "revoke", issued["id"])
        try:
            await client.call_tool("echo", {"msg": "after"})
            raise AssertionError("a revoked token still ran a tool")
        except Exception as error:
            assert "invalid token" in str(error), error
    passed("stdio: a token revoked while the session runs is refused at the next request")

    audit = dryad_json("audit", "list", "--principal", "planner", "--action", "tools.execute", "--limit", "1000")["items"]
    assert len(audit) >= 4, len(audit)
    passed("stdio: every call is in the audit trail")


async def http_checks(context_id):
    server, address = start_serve(DRYAD, ENV, WORK)
    url = f"{address}/mcp"
    token = dryad("tokens", "issue", "planner", "--ttl", "1h").strip()
    other = dryad("tokens", "issue", "outsider", "--ttl", "1h").strip()
    try:
        bearer = {"Authorization": f"Bearer {token}"}
        async with create_mcp_http_client(headers=bearer) as http:
            async with Client(streamable_http_client(url, http_client=http), mode="legacy") as client:
                await check_tools(client, "http")
                await check_memory(client, "http", context_id)
                await check_cancel(client, "http")
            async with Client(streamable_http_client(url, http_client=http), mode="2026-07-28") as client:
                await check_tools(client, "http 2026-07-28")
                await check_memory(client, "http 2026-07-28", context_id)
                await check_cancel(client, "http 2026-07-28")
                await check_progress(client, "http 2026-07-28")
                await check_listen(client, "http 2026-07-28", context_id)

        async with httpx2.AsyncClient(timeout=10) as raw:
            init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
            accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
            response = await raw.post(url, json=init, headers=accept)
            assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer", response
            passed("http: no token is 401 with WWW-Authenticate: Bearer")

            response = await raw.post(url, json=init, headers={**accept, **bearer, "Origin": "http://evil.example"})
            assert response.status_code == 403, response
            # DNS rebinding: the rebound name arrives as Host too.
            response = await raw.post(url, json=init, headers={**accept, **bearer, "Origin": "http://evil.example", "Host": "evil.example"})
            assert response.status_code == 403, response
            passed("http: a foreign Origin is refused, even with a matching Host")

            response = await raw.post(url, json=init, headers={**accept, **bearer})
            assert response.status_code == 200 and response.json()["result"]["protocolVersion"] == "2025-06-18"
            session = response.headers["mcp-session-id"]
            listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
            own = {**accept, **bearer, "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18"}
            response = await raw.post(url, json={"jsonrpc": "2.0", "id": 9, "method": "prompts/list"}, headers=own)
            assert response.status_code == 200 and response.json()["error"]["code"] == -32601, (response, response.text)
            passed("http: an unknown method in a session is a JSON-RPC error, not a lost session")

            response = await raw.head(url, headers={**own, "Accept": "text/event-stream"})
            async with raw.stream("GET", url, headers={**own, "Accept": "text/event-stream"}) as opened:
                assert opened.status_code == 200, opened
            passed("http: a HEAD on the session stream leaves it free to open")

            stateless = {**accept, **bearer, "MCP-Protocol-Version": "2026-07-28"}
            listen = {"jsonrpc": "2.0", "id": "l1", "method": "subscriptions/listen",
                      "params": {"notifications": {"toolsListChanged": True}, "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}}
            response = await raw.post(url, json=listen, headers={**stateless, "Accept": "application/json"})
            assert response.status_code == 406, response
            passed("http: subscriptions/listen without an event stream is refused, not held open")
            response = await raw.post(url, json=listing, headers={**accept, "Authorization": f"Bearer {other}", "Mcp-Session-Id": session})
            assert response.status_code == 403, response
            passed("http: a session answers only the principal that opened it")

            response = await raw.delete(url, headers={**bearer, "Mcp-Session-Id": session})
            assert response.status_code == 204, response
            response = await raw.post(url, json=listing, headers={**accept, **bearer, "Mcp-Session-Id": session})
            assert response.status_code == 404, response
            passed("http: DELETE ends a session")
    finally:
        server.terminate()
        server.wait(10)


async def main():
    context_id = setup()
    await stdio_checks(context_id)
    await http_checks(context_id)
    print(f"{len(PASSED)} checks passed")


if __name__ == "__main__":
    anyio.run(main)
