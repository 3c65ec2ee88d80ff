#!/usr/bin/env bash
# Seeds a database with N execution records (default 1,000,000) straight through sqlite3 and
# times `dryad tools stats` and `dryad tools history` on it. Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
swift build -c release --product dryad >/dev/null
bin=$(swift build -c release --show-bin-path)/dryad
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export DRYAD_DB=$dir/bench.db
"$bin" db status >/dev/null
sqlite3 "$DRYAD_DB" "
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $rows - 1)
INSERT INTO tool_execution (id, tool_id, tool_name, tool_version, principal, input, status, duration_ms, started_at, finished_at)
SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'bench', 'tool_' || (i % 20), '1.0.' || (i % 3), 'local:bench', '{}',
       CASE WHEN i % 17 = 0 THEN 'failed' WHEN i % 31 = 0 THEN 'rejected' ELSE 'succeeded' END, abs(random() % 1000),
       strftime('%Y-%m-%dT%H:%M:%fZ', 1800000000 + i, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%fZ', 1800000000 + i, 'unixepoch')
FROM n;"
echo "seeded $rows executions over 20 tools x 3 versions"
measure() {
  local label=$1; shift
  local start end
  start=$(date +%s%N)
  "$bin" "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  printf '%-48s %6d ms\n' "$label" $(( (end - start) / 1000000 ))
}
measure "tools stats (every tool)" tools stats
measure "tools stats tool_3" tools stats tool_3
measure "tools stats --since (90% of rows)" tools stats --since 2027-01-05T00:00:00Z
measure "tools history tool_3 --limit 100" tools history tool_3 --limit 100
measure "tools history tool_3 --status failed" tools history tool_3 --status failed --limit 100
