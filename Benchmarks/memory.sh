#!/usr/bin/env bash
# Seeds agent memory (default 100,000 contexts as 10-deep chains) and prints p50/p95 of
# get, get --resolved, parents and search, measured inside one release-built process.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dryad-memory-benchmark >/dev/null
"$(swift build -c release --show-bin-path)/dryad-memory-benchmark" "${1:-100000}"
