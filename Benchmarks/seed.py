#!/usr/bin/env python3
"""Writes the benchmark data set as dryad inputs (no database access of its own).

  executions.jsonl  an `executions`-only bundle for `dryad import` (100,000 runs)
  tools.json        Tool documents for `dryad apply` (10,000 tools)
  memory-N.json     MemoryContext documents for `dryad apply`, 10-deep chains, in files
                    under dryad's 8 MiB input cap (100,000 contexts)

Usage: seed.py OUT_DIR [TOOLS] [CONTEXTS] [EXECUTIONS]
"""
import json
import random
import sys
import uuid

out = sys.argv[1]
tools = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
contexts = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
executions = int(sys.argv[4]) if len(sys.argv) > 4 else 100_000
rng = random.Random(42)
WORDS = [f"w{i}" for i in range(2000)]


def dump(path, value):
    with open(f"{out}/{path}", "w") as f:
        json.dump(value, f, separators=(",", ":"))


dump("tools.json", [{
    "kind": "Tool", "name": f"tool-{i}", "version": "1.0.0",
    "description": f"Benchmark tool {i} ({rng.choice(WORDS)})",
    "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
    "tags": [f"group-{i % 20}"],
} for i in range(tools)])

chains, per_file, documents, part = contexts // 10, 20_000, [], 0
for chain in range(chains):
    for level in range(10):
        doc = {
            "kind": "MemoryContext", "key": f"c{chain}/{level}", "agent_id": f"agent-{chain % 100}",
            "context_type": "leaf" if level == 9 else "step",
            "data": {f"k{level}": rng.choice(WORDS), "note": " ".join(rng.choice(WORDS) for _ in range(3)), "level": level},
            "tags": [f"t{chain % 50}"],
        }
        if level:
            doc["parent_key"] = f"c{chain}/{level - 1}"
        documents.append(doc)
    if len(documents) >= per_file or chain == chains - 1:
        dump(f"memory-{part}.json", documents)
        documents, part = [], part + 1

with open(f"{out}/executions.jsonl", "w") as f:
    f.write(json.dumps({"dryad_bundle": 1, "include": ["executions"], "schema_version": 5}, separators=(",", ":")) + "\n")
    for i in range(executions):
        tool = rng.randrange(min(tools, 20))
        started = f"2026-11-{1 + i * 25 // executions:02d}T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.000Z"
        row = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "tool_id": str(uuid.UUID(int=tool + 1, version=4)),
            "tool_name": f"tool-{tool}", "tool_version": "1.0.0", "session_id": None, "principal": "local:bench",
            "input": "{}", "output": "{}", "status": "succeeded" if rng.random() < 0.95 else "failed",
            "error": None, "exit_code": 0, "http_status": None, "duration_ms": rng.randrange(1, 500),
            "started_at": started, "finished_at": started,
        }
        f.write(json.dumps({"row": row, "table": "tool_execution"}, separators=(",", ":"), sort_keys=True) + "\n")
    f.write(json.dumps({"end": {"rows": executions}}, separators=(",", ":")) + "\n")
