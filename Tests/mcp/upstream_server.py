"""A small upstream MCP server for dryad's gateway tests, written with the official `mcp` package.

Usage: upstream_server.py stdio | upstream_server.py http PORT

UPSTREAM_LOG (a file) records each call the server receives, one line per call, so a test can
show that a refused call never reached it. UPSTREAM_VARIANT (a file, read at start) holds "2"
to give `add` a third argument: a changed schema for the versioning test.
"""

import asyncio
import os
import sys

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import ToolAnnotations

server = MCPServer("upstream-test", version="3.1.4")
VARIANT = "1"
if os.environ.get("UPSTREAM_VARIANT") and os.path.exists(os.environ["UPSTREAM_VARIANT"]):
    VARIANT = open(os.environ["UPSTREAM_VARIANT"]).read().strip() or "1"


def record(name: str) -> None:
    log = os.environ.get("UPSTREAM_LOG")
    if log:
        with open(log, "a") as f:
            f.write(name + "\n")


if VARIANT == "2":

    @server.tool(description="Add numbers.")
    def add(a: int, b: int, c: int = 0) -> int:
        record("add")
        return a + b + c

else:

    @server.tool(description="Add two numbers.")
    def add(a: int, b: int) -> int:
        record("add")
        return a + b


@server.tool(description="Delete a file (pretends to).", annotations=ToolAnnotations(destructiveHint=True))
def delete_file(path: str) -> str:
    record("delete_file")
    return f"deleted {path}"


@server.tool(description="Sleep, then answer.")
async def slow(seconds: float) -> str:
    record("slow")
    await asyncio.sleep(seconds)
    return "done"


@server.tool(description="Exit the server's process at once.")
def crash() -> str:
    record("crash")
    os._exit(3)


@server.tool(description="Always fails.")
def fail() -> str:
    record("fail")
    raise ValueError("this tool always fails")


@server.tool(name="files.read.v2", description="A name dryad's rule does not allow.")
def dotted(path: str) -> str:
    record("files.read.v2")
    return path


@server.tool(description="What the server's environment holds (to show the sandbox).")
def environment() -> dict:
    record("environment")
    return {"keys": sorted(os.environ.keys()), "home": os.environ.get("HOME", "")}


@server.tool(description="Add a tool named grown and say the tool list changed.")
async def grow(ctx: Context) -> str:
    record("grow")

    def grown() -> str:
        """A tool added while the server runs."""
        return "grown"

    server.add_tool(grown, name="grown", description="A tool added while the server runs.")
    await ctx.session.send_tool_list_changed()
    return "grew"


if VARIANT != "2":

    @server.tool(description="Only in the first variant.")
    def retired() -> str:
        return "old"


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        server.run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
