#!/usr/bin/env bash
# A/B of two dryad binaries on the same seeded file, alternating, so drift of this shared
# machine hits both alike: each round serves a fresh copy of the file with A, then with B,
# and drives GET /healthz and GET /tools/{name} with wrk (64 connections).
#
#   KEEP=1 Benchmarks/run.sh                       # seeds a file and prints where it kept it
#   Benchmarks/ab.sh OLD/dryad NEW/dryad /tmp/dryad-bench.XXXX/bench.db
#   ROUNDS=4 DURATION=5 PORT=18123 Benchmarks/ab.sh …
#
# It prints figures and asserts nothing.
set -euo pipefail
A=$1 B=$2 SEEDED=$3
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-5} PORT=${PORT:-18123}
work=$(mktemp -d /tmp/dryad-ab.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for round in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    bin=${!side}
    cp "$SEEDED" "$work/ab.db"
    rm -f "$work/ab.db-wal" "$work/ab.db-shm"
    "$bin" --db "$work/ab.db" serve --port "$PORT" >/dev/null 2>"$work/serve.err" &
    pid=$!
    for _ in $(seq 50); do curl -s "localhost:$PORT/healthz" >/dev/null && break; sleep 0.2; done
    "$bin" --db "$work/ab.db" principals show bench >/dev/null 2>&1 || "$bin" --db "$work/ab.db" principals add bench --type service --role admin >/dev/null
    token=$("$bin" --db "$work/ab.db" tokens issue bench --ttl 1h)
    health=$(wrk -t2 -c64 -d"${DURATION}s" "http://127.0.0.1:$PORT/healthz" | awk '/Requests\/sec/{print $2}')
    tool=$(wrk -t2 -c64 -d"${DURATION}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/tools/tool-42" | awk '/Requests\/sec/{print $2}')
    echo "round $round $side  GET /healthz $health req/s  GET /tools/{name} $tool req/s"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=
  done
done
