#!/usr/bin/env bash
# The gateway's added latency (issue 25): `add` on the upstream test server
# (Tests/mcp/upstream_server.py, the official Python `mcp` package, stdio) called directly by
# the official Python client, against the same call through dryad: `dryad mcp` (stdio) and
# `dryad serve`'s `/mcp`, each reaching the upstream through its pooled, contained process.
# Calls are sequential, one at a time, so each figure is one call's latency.
#
#   Benchmarks/gateway.sh                    # 1,000 calls per row
#   CALLS=200 Benchmarks/gateway.sh
#   BIN=.build/debug/dryad Benchmarks/gateway.sh   # another binary, no build (to try the script)
#
# It prints figures and asserts nothing. Needs the MCP client's virtual environment
# (Tests/mcp/run.sh makes it in .build/mcp-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS=${CALLS:-1000}
VENV=.build/mcp-venv
[ -x "$VENV/bin/python" ] || { echo "run Tests/mcp/run.sh first (it makes $VENV)" >&2; exit 2; }
if [ -z "${BIN:-}" ]; then
  echo "building release binary…" >&2
  swift build -c release --static-swift-stdlib --product dryad >/dev/null
fi
bin=$(realpath "${BIN:-"$(swift build -c release --static-swift-stdlib --show-bin-path)/dryad"}")
work=$(mktemp -d /tmp/dryad-gateway-bench.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

export DRYAD_DB=$work/bench.db
site=$("$VENV/bin/python" -c 'import sys; print([p for p in sys.path if p.endswith("site-packages")][0])')
here=$(realpath Tests/mcp)
"$bin" principals add bench --type agent >/dev/null
"$bin" servers add up --command /usr/bin/python3 --command "$here/upstream_server.py" --env "PYTHONPATH=$site" \
  --allow-read "$(realpath $VENV)" --allow-read "$here" -o json >/dev/null
"$bin" servers sync up -o json >/dev/null
"$bin" perms grant up__add --principal bench --level execute >/dev/null

"$VENV/bin/python" - "$bin" "$CALLS" "$here/upstream_server.py" "$work" <<'PY'
import os, subprocess, sys, time
import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

dryad, calls, upstream, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
env = {**os.environ}

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]

async def measure(client, name, args):
    for _ in range(20):  # warm-up: the upstream process starts on the first call
        await client.call_tool(name, args)
    times = []
    for i in range(calls):
        started = time.perf_counter()
        result = await client.call_tool(name, {"a": i, "b": 1})
        times.append((time.perf_counter() - started) * 1000)
        assert not result.is_error and result.structured_content == {"result": i + 1}, result
    return times

async def main():
    rows = []
    async with Client(StdioServerParameters(command=sys.executable, args=[upstream], env=env)) as client:
        rows.append(("upstream directly (stdio)", await measure(client, "add", {"a": 1, "b": 1})))
    params = StdioServerParameters(command=dryad, args=["mcp", "--as", "bench"], env=env)
    async with Client(params) as client:
        rows.append(("through `dryad mcp` (stdio)", await measure(client, "up__add", {"a": 1, "b": 1})))
    out = open(os.path.join(work, "serve.out"), "w+")
    server = subprocess.Popen([dryad, "serve", "--port", "0", "--rate", "100000", "--burst", "100000"], env=env, stdout=out,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            out.seek(0)
            line = out.readline()
            if line.startswith("listening on "):
                address = line.split("listening on ")[1].strip()
                break
            time.sleep(0.05)
        token = subprocess.run([dryad, "tokens", "issue", "bench", "--ttl", "1h"], env=env, capture_output=True, text=True).stdout.strip()
        async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http:
            async with Client(streamable_http_client(f"{address}/mcp", http_client=http), mode="legacy") as client:
                rows.append(("through `dryad serve` /mcp (2025-11-25 session)", await measure(client, "up__add", {"a": 1, "b": 1})))
    finally:
        server.terminate()
        server.wait(10)
    base50, base99 = pct(rows[0][1], 0.5), pct(rows[0][1], 0.99)
    print(f"| path | calls | p50 | p99 | added p50 | added p99 |")
    print(f"| --- | --- | --- | --- | --- | --- |")
    for name, times in rows:
        p50, p99 = pct(times, 0.5), pct(times, 0.99)
        added = "" if name.startswith("upstream") else f"+{p50 - base50:.2f} ms | +{p99 - base99:.2f} ms"
        print(f"| {name} | {len(times)} | {p50:.2f} ms | {p99:.2f} ms | {added or '- | -'} |")

anyio.run(main)
PY
