#!/usr/bin/env bash
# MCP against REST on one `dryad serve`, in one run (issue 24): a tool call of an echo tool
# over `/mcp` (a session of the 2025-11-25 revision, and the stateless 2026-07-28 revision)
# against `POST /api/v1/tools/fast-echo/execute`, with wrk on loopback; then `tools/list`
# through 10,000 tools (100 pages) with the official Python client; then CLI start-up.
#
#   Benchmarks/mcp.sh                 # 20 s per row
#   DURATION=5 Benchmarks/mcp.sh
#   BIN=.build/debug/dryad Benchmarks/mcp.sh   # another binary, no build (to try the script)
#
# It prints figures and asserts nothing. Needs wrk and hyperfine (Debian) and the MCP
# client's virtual environment (Tests/mcp/run.sh makes it in .build/mcp-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-16}
VENV=.build/mcp-venv
[ -x "$VENV/bin/python" ] || { echo "run Tests/mcp/run.sh first (it makes $VENV)" >&2; exit 2; }

if [ -z "${BIN:-}" ]; then
  echo "building release binary…" >&2
  swift build -c release --static-swift-stdlib --product dryad >/dev/null
fi
bin=${BIN:-"$(swift build -c release --static-swift-stdlib --show-bin-path)/dryad"}
work=$(mktemp -d /tmp/dryad-mcp-bench.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

db=$work/bench.db
python3 - "$work/tools.json" <<'PY'
import json, sys
tools = [{"name": f"tool-{i:05d}", "version": "1.0.0", "description": f"benchmark tool {i}",
          "input_schema": {"type": "object", "properties": {"n": {"type": "integer"}}},
          "executor": {"kind": "command", "argv": ["/bin/cat"]}} for i in range(10000)]
json.dump(tools, open(sys.argv[1], "w"))
PY
"$bin" --db "$db" tools register --file "$work/tools.json" >/dev/null
"$bin" --db "$db" tools register fast-echo --description "Echo the input" --command /bin/cat >/dev/null
"$bin" --db "$db" principals add bench --type service --role admin >/dev/null
token=$("$bin" --db "$db" tokens issue bench --ttl 2h)

# Run slots above the connection count, so every call runs (the default caps a principal at 8).
DRYAD_MAX_RUNS=64 DRYAD_MAX_RUNS_PER_PRINCIPAL=64 "$bin" --db "$db" serve --port 0 --rate 1000000 --burst 1000000 >"$work/out" 2>/dev/null &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/out" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -n 's/^listening on //p' "$work/out")

session=$(curl -s -D - -o /dev/null -X POST "$addr/mcp" -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
  -H "Accept: application/json, text/event-stream" \
  -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' \
  | tr -d '\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')

post_lua() {  # $1: file, $2: path, $3: body, $4: extra headers (lua table entries)
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = '$3'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
$4
-- Failed answers count whatever their status (a JSON-RPC error or a run's isError comes with
-- 200): an answer is good when it is a succeeded run, a call without isError, or a tool page.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("base", #threads)
end
function init(args) failures = 0 end
function response(status, headers, body)
  local good = body:find('"status":"succeeded"', 1, true) or body:find('"isError":false', 1, true) or body:find('"tools":[', 1, true)
  if status ~= 200 or not good then failures = failures + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, thread in ipairs(threads) do n = n + thread:get("failures") end
  io.write("failures: " .. n .. "\n")
end
LUA
}
post_lua "$work/rest.lua" "" '{"n":1}' ""
# Requests of one session need ids of their own: each thread counts from its own base.
post_lua "$work/session.lua" "" '' \
  "wrk.headers[\"Mcp-Session-Id\"] = \"$session\"
wrk.headers[\"MCP-Protocol-Version\"] = \"2025-11-25\"
request = function()
  next_id = (next_id or base * 1000000000) + 1
  local body = string.format('{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"fast-echo\",\"arguments\":{\"n\":1}}}', next_id)
  return wrk.format(nil, nil, nil, body)
end"
post_lua "$work/stateless.lua" "" '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"fast-echo","arguments":{"n":1},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}' \
  "wrk.headers[\"MCP-Protocol-Version\"] = \"2026-07-28\""
post_lua "$work/list.lua" "" '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}' \
  "wrk.headers[\"MCP-Protocol-Version\"] = \"2026-07-28\""

row() {  # $1: label, $2: lua, $3: path
  wrk -t2 -c"$CONNECTIONS" -d3s -s "$2" "$addr$3" >/dev/null 2>&1 || true  # warm-up, not counted
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$2" "$addr$3" >"$work/wrk.txt" 2>&1
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {printf "%d", $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  errors=$(awk '/^failures:/ {print $2} /Socket errors/ {print "(" $0 ")"}' "$work/wrk.txt" | tr '\n' ' ')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$CONNECTIONS" "$rps" "$p50" "$p99" "${errors:-?}"
}

echo "| request | connections | req/s | p50 | p99 | failed |"
echo "| --- | --- | --- | --- | --- | --- |"
row 'REST `POST /api/v1/tools/fast-echo/execute`' "$work/rest.lua" /api/v1/tools/fast-echo/execute
row 'MCP `tools/call` fast-echo, 2025-11-25 session' "$work/session.lua" /mcp
row 'MCP `tools/call` fast-echo, stateless 2026-07-28' "$work/stateless.lua" /mcp
row 'MCP `tools/list` first page (100 of 10,001 tools), stateless' "$work/list.lua" /mcp

# The whole catalogue through the official client: every page, as a host lists it.
"$VENV/bin/python" - "$addr/mcp" "$token" <<'PY'
import statistics, sys, time
import anyio
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

async def main(url, token):
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http:
        for mode in ["legacy", "2026-07-28"]:
            async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
                times, count = [], 0
                for _ in range(5):
                    started, cursor, count = time.perf_counter(), None, 0
                    while True:
                        page = await client.list_tools(cursor=cursor, cache_mode="bypass")
                        count += len(page.tools)
                        cursor = page.next_cursor
                        if not cursor:
                            break
                    times.append(time.perf_counter() - started)
                print(f"tools/list through {count} tools ({mode}, Python client): median {statistics.median(times) * 1000:.0f} ms "
                      f"of 5 (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")

anyio.run(main, sys.argv[1], sys.argv[2])
PY

kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
echo
echo "CLI start-up (hyperfine -N, release): commands that do not use MCP, and the shared libraries loaded"
hyperfine -N --warmup 20 --runs 300 --export-markdown "$work/h.md" "$bin version" "$bin --db $db tools get fast-echo" >/dev/null 2>&1
sed -n '3,$p' "$work/h.md"
echo "shared libraries: $(ldd "$bin" | wc -l)"
