#!/usr/bin/env bash
# Drives `dryad mcp` and `/mcp` with the official MCP Python client (PyPI `mcp`), installed in a
# virtual environment of its own (kept in .build/mcp-venv, so a second run starts at once).
#
# Usage: Tests/mcp/run.sh [path/to/dryad]      (default .build/debug/dryad; build it first)
set -euo pipefail
cd "$(dirname "$0")/../.."
MCP_VERSION=2.3.0
DRYAD=${1:-.build/debug/dryad}
[[ -x $DRYAD ]] || { echo "run.sh: no dryad binary at $DRYAD (run swift build first)" >&2; exit 2; }
VENV=.build/mcp-venv
if ! "$VENV/bin/python" -c "import mcp, sys; from importlib.metadata import version; sys.exit(version('mcp') != '$MCP_VERSION')" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "mcp==$MCP_VERSION"
fi
"$VENV/bin/python" Tests/mcp/mcp_client_test.py "$DRYAD"
# dryad as a gateway in front of upstream servers written with the same package.
"$VENV/bin/python" Tests/mcp/gateway_test.py "$DRYAD"
