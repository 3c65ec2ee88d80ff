#!/usr/bin/env bash
# What containment costs: `POST /tools/{name}/execute` of /bin/cat, contained (the default:
# Landlock, seccomp, rlimits, a pids cgroup, the nobody user) and with `--sandbox none`, in
# alternating rounds on one server, so the machine's drift falls on both alike.
#
#   Benchmarks/sandbox.sh                   # 3 rounds of 20 s per row
#   ROUNDS=5 DURATION=10 Benchmarks/sandbox.sh
#
# It prints figures and asserts nothing. Run as root (the tool user switch and the cgroup need it).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-3}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

echo "building release binary…" >&2
swift build -c release --static-swift-stdlib --product dryad >/dev/null
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/dryad"
work=$(mktemp -d /tmp/dryad-sandbox-bench.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

db=$work/bench.db
"$bin" --db "$db" principals add bench --type service --role admin >/dev/null
"$bin" --db "$db" tools register contained --description "cat, contained" --command /bin/cat >/dev/null
"$bin" --db "$db" tools register unconfined --description "cat, unconfined" --command /bin/cat --sandbox none >/dev/null
token=$("$bin" --db "$db" tokens issue bench --ttl 2h)
cat >"$work/execute.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"q":"hello"}'
done = function(summary, latency, requests)
  io.write(string.format("DRYAD %.0f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
LUA
"$bin" serve --db "$db" --port 0 --rate 1000000 --burst 1000000 >"$work/serve.out" 2>/dev/null &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
address=$(sed -n 's/^listening on //p' "$work/serve.out")

# row TOOL CONNECTIONS: one measured run after a 3 s warm-up; prints "runs/s p50 p99 errors".
row() {
  wrk -t2 -c"$2" -d3s --timeout 10s -H "Authorization: Bearer $token" -s "$work/execute.lua" "$address/api/v1/tools/$1/execute" >/dev/null
  wrk -t2 -c"$2" -d"${DURATION}s" --timeout 10s -H "Authorization: Bearer $token" -s "$work/execute.lua" \
    "$address/api/v1/tools/$1/execute" | sed -n 's/^DRYAD //p'
}

echo "machine: $(nproc) cores, $(uname -sr); ${ROUNDS} rounds of ${DURATION}s per row; server and wrk share the cores"
printf '%-6s %-5s | %-32s | %-32s | %s\n' round conns "contained: runs/s p50 p99 err" "none: runs/s p50 p99 err" "cost"
for round in $(seq "$ROUNDS"); do
  for connections in 100 16; do
    read -r c_rps c_p50 c_p99 c_err <<<"$(row contained "$connections")"
    read -r n_rps n_p50 n_p99 n_err <<<"$(row unconfined "$connections")"
    cost=$(python3 -c "print(f'{(1 - $c_rps / $n_rps) * 100:.1f} % fewer runs/s')")
    printf '%-6s %-5s | %8s %7s ms %7s ms %3s | %8s %7s ms %7s ms %3s | %s\n' "$round" "$connections" \
      "$c_rps" "$c_p50" "$c_p99" "$c_err" "$n_rps" "$n_p50" "$n_p99" "$n_err" "$cost"
  done
done
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$server_pid/status)"
