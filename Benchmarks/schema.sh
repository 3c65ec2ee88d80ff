#!/usr/bin/env bash
# Times the validations the security review found stalling a thread (a `$ref` fan-out,
# `uniqueItems` over items alike to the bottom, a backtracking pattern) and honest work of
# the same shapes, with the default work budget, in one release-built process. Prints a
# Markdown table; asserts nothing. `schema.sh RUNS` sets the runs per row (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dryad-schema-benchmark >/dev/null
"$(swift build -c release --show-bin-path)/dryad-schema-benchmark" "${1:-5}"
