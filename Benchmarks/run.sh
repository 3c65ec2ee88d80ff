#!/usr/bin/env bash
# Load benchmark of `dryad serve` on loopback, with the figures issue 8 asks for:
# requests/s, p50, p99 and errors per endpoint at 100 connections (and p99 at 16, reads at
# 64), the server's peak RSS, and whole-process times of two CLI commands.
#
#   Benchmarks/run.sh                 # 30 s per run, the full data set
#   DURATION=10 Benchmarks/run.sh     # shorter runs
#   WARMUP=0 Benchmarks/run.sh        # no uncounted warm-up run before each row (default 5 s)
#   KEEP=1 Benchmarks/run.sh          # keep the seeded database (path printed) for reuse
#   DB=/path/seeded.db Benchmarks/run.sh   # skip seeding, reuse a database from KEEP=1
#
# It prints figures and asserts nothing. wrk and hyperfine come from Debian (installed when
# missing); everything runs on this machine, load generator included.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-2}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v hyperfine >/dev/null || need+=(hyperfine)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }
fi

echo "building release binary…" >&2
swift build -c release --static-swift-stdlib --product dryad >/dev/null
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/dryad"
work=$(mktemp -d /tmp/dryad-bench.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT

if [ -n "${DB:-}" ]; then
  db=$DB
else
  db=$work/bench.db
  echo "seeding 10,000 tools, 100,000 contexts (10-deep chains), 100,000 executions…" >&2
  python3 Benchmarks/seed.py "$work"
  start=$(date +%s)
  "$bin" --db "$db" import "$work/executions.jsonl" >/dev/null
  "$bin" --db "$db" apply -f "$work/tools.json" $(for f in "$work"/memory-*.json; do printf -- '-f %s ' "$f"; done) >/dev/null 2>&1
  "$bin" --db "$db" principals add bench --type service --role admin >/dev/null
  "$bin" --db "$db" tools register fast-echo --description "Echo the input" --command /bin/cat >/dev/null
  echo "seeded in $(( $(date +%s) - start )) s" >&2
fi
token=$("$bin" --db "$db" tokens issue bench --ttl 2h)

# Lua for wrk: random tool names, deepest-context ids and search words; POST bodies.
ids=$("$bin" --db "$db" memory list --type leaf --limit 1000 -o jsonl 2>/dev/null | sed -E 's/.*"id":"([^"]+)".*/"\1",/' | tr -d '\n')
cat >"$work/tool.lua" <<'EOF'
request = function() return wrk.format("GET", "/api/v1/tools/tool-" .. math.random(0, 9999)) end
EOF
cat >"$work/resolved.lua" <<EOF
local ids = {${ids}}
request = function() return wrk.format("GET", "/api/v1/memory/context/" .. ids[math.random(#ids)] .. "?resolved=true") end
EOF
cat >"$work/search.lua" <<'EOF'
request = function() return wrk.format("GET", "/api/v1/memory/search?q=w" .. math.random(0, 1999) .. "&limit=20") end
EOF
# The warm-up for searches asks for every word in turn: drawn at random, a fifth of the 2,000
# words would still be unasked after 5 s at 16 connections, and their first search (a few ms
# each) would land in the measured run.
cat >"$work/search-all.lua" <<'EOF'
-- Each wrk thread starts at its own share of the words, so no word is searched twice while cold.
local threads = 0
setup = function(thread) thread:set("word", threads * 1000 - 1); threads = threads + 1 end
request = function() word = (word + 1) % 2000; return wrk.format("GET", "/api/v1/memory/search?q=w" .. word .. "&limit=20") end
EOF
cat >"$work/store.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  return wrk.format(nil, "/api/v1/memory/context",
    nil, '{"agent_id":"agent-' .. math.random(0, 99) .. '","context_type":"bench","data":{"n":' .. math.random(1, 1000000) .. '}}')
end
EOF
cat >"$work/execute.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"q":"hello"}'
EOF
# wrk's summary, plus the status code of every non-2xx answer, on stdout at the end.
cat >"$work/report.lua" <<'EOF'
done = function(summary, latency, requests)
  io.write(string.format("DRYAD rps=%.0f p50=%.2f p99=%.2f errors=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    summary.requests))
end
EOF

# serve [FLAGS…]: start the server, set $address and $server_pid.
serve() {
  "$bin" serve --db "$db" --port 0 --rate 1000000 --burst 1000000 "$@" >"$work/serve.out" 2>/dev/null &
  server_pid=$!
  for _ in $(seq 100); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  address=$(sed -n 's/^listening on //p' "$work/serve.out")
}
serve

# run NAME CONNECTIONS PATH [SCRIPT [WARMUP_SCRIPT]]: a warm-up run of the same requests (or
# of WARMUP_SCRIPT's; not counted: it takes the first pass through caches, the read cache's
# included, out of the figures), then the measured run, one result line.
run() {
  local name=$1 connections=$2 path=$3 script=${4:-} warmup=${5:-${4:-}}
  local scripts=$work/report.lua
  if [ -n "$script" ]; then cat "$work/$script" "$work/report.lua" >"$work/combined.lua"; scripts=$work/combined.lua; fi
  if [ "$WARMUP" -gt 0 ]; then
    wrk -t"$THREADS" -c"$connections" -d"${WARMUP}s" --timeout 10s -H "Authorization: Bearer $token" \
      ${warmup:+-s "$work/$warmup"} "$address$path" >/dev/null
  fi
  local line
  line=$(wrk -t"$THREADS" -c"$connections" -d"${DURATION}s" --timeout 10s -H "Authorization: Bearer $token" \
    -s "$scripts" "$address$path" | grep '^DRYAD')
  printf '%-52s %4s conns  %s\n' "$name" "$connections" "${line#DRYAD }"
}

echo "machine: $(nproc) cores, $(uname -sr); ${DURATION}s per run after ${WARMUP}s of warm-up; wrk -t$THREADS; server and load generator share the cores"
# The ceiling on this machine right now: no token, no database (this VM varies by ±30 % over hours).
run "GET /healthz (baseline)" 64 /healthz
run "GET /tools/{name}" 100 /api/v1/tools/tool-1 tool.lua
run "GET /tools (first page)" 100 /api/v1/tools
run "GET /memory/context/{id}?resolved=true" 100 / resolved.lua
run "GET /memory/search?q=…" 100 / search.lua search-all.lua
run "POST /memory/context" 100 / store.lua
run "POST /tools/fast-echo/execute" 100 /api/v1/tools/fast-echo/execute execute.lua
run "GET /tools/{name}" 64 /api/v1/tools/tool-1 tool.lua
run "GET /memory/context/{id}?resolved=true" 64 / resolved.lua
run "GET /tools/{name}" 16 /api/v1/tools/tool-1 tool.lua
run "GET /tools (first page)" 16 /api/v1/tools
run "GET /memory/context/{id}?resolved=true" 16 / resolved.lua
run "GET /memory/search?q=…" 16 / search.lua search-all.lua
run "POST /memory/context" 16 / store.lua
run "GET /tools (first page)" 64 /api/v1/tools
run "GET /memory/search?q=…" 64 / search.lua search-all.lua
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$server_pid/status)"
curl -s -H "Authorization: Bearer $token" "$address/metrics" | grep '^dryad_read_cache_lookups_total' || true
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
# The same reads with the read cache off: what a first read, or a read after a write, costs.
serve --read-cache 0
for connections in 64 16; do
  run "GET /tools (first page), no cache" $connections /api/v1/tools
  run "GET /memory/context/{id}?resolved=true, no cache" $connections / resolved.lua
  run "GET /memory/search?q=…, no cache" $connections / search.lua search-all.lua
done
echo "server peak RSS, no cache: $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$server_pid/status)"
# The ceiling again: how much the machine drifted during the runs.
run "GET /healthz (baseline, at the end)" 64 /healthz
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
# The ceiling for execute: starting /bin/cat and waiting for it, nothing else, on one thread.
python3 - <<'EOF'
import os, time
runs, start = 1000, time.perf_counter()
for _ in range(runs):
    os.waitpid(os.posix_spawn("/bin/cat", ["/bin/cat", "/dev/null"], os.environ), 0)
print(f"process spawn ceiling (posix_spawn /bin/cat + wait, one thread, no server): {runs / (time.perf_counter() - start):.0f}/s")
EOF

export DRYAD_DB=$db
hyperfine -N --warmup 3 --runs 30 --export-json "$work/cli.json" \
  "$bin tools get tool-42" "$bin memory search w7 --limit 5" "$bin version" >/dev/null 2>&1
python3 - "$work/cli.json" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    cmd = " ".join(r["command"].split()[1:])
    print(f"CLI dryad {cmd:<32} mean {r['mean'] * 1000:6.1f} ms  p50 {r['median'] * 1000:6.1f} ms  max {r['max'] * 1000:6.1f} ms")
EOF
