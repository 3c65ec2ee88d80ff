"""Starts `dryad serve` for the MCP tests: shared by mcp_client_test.py and gateway_test.py."""

import os
import subprocess
import time


def start_serve(dryad, env, work):
    """Starts `dryad serve` on a free port with high rate limits; returns (process, base URL)."""
    out = open(os.path.join(work, "serve.out"), "w+")
    server = subprocess.Popen([dryad, "serve", "--port", "0", "--rate", "10000", "--burst", "10000"], env=env, stdout=out,
                              stderr=open(os.path.join(work, "serve.log"), "w"))
    for _ in range(200):
        out.seek(0)
        line = out.readline()
        if line.startswith("listening on "):
            return server, line.split("listening on ")[1].strip()
        time.sleep(0.1)
    raise AssertionError("dryad serve did not start")
