"""A harness outside the project (issue 26's "done when"): runs `failover-drill local --cluster-mode
enabled --shards 3`, then the same at --shards 64 (one replica a shard: 128 redis-server processes), and
judges only what a user gets back: the exit code, the --json report, and the CLI's `largest state` line.

Passing means: both drills pass; report.shards[] has one entry per shard, each with writes attempted; no
state is over Step Functions' 256 KB; the 64-shard drill's largest state is within a few KB of the
3-shard drill's (what may grow is the plan's shard map, ~64 bytes a shard, and two runs' own figures).

Usage: large-cluster.py [SHARDS] (default 64). NODE names the Node.js to run the CLI with (default: node
on PATH). Prints one JSON object of findings; exits 0 when every check holds, 1 otherwise.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

SHARDS = int(sys.argv[1]) if len(sys.argv) > 1 else 64
PROJECT = os.path.join(os.path.dirname(__file__), "..", "..", "..")
NODE = os.environ.get("NODE", "node")
LIMIT = 262144
# The plan's shard map grows ~45 bytes of JSON a shard (64 allowed); two runs differ by up to 2 KB.
PLAN_BYTES_PER_SHARD = 64
RUN_TO_RUN_BYTES = 2048


def drill(shards, workdir):
    report = os.path.join(workdir, f"report-{shards}.json")
    started = time.monotonic()
    out = subprocess.run(
        [NODE, "bin/failover-drill.js", "local", "--cluster-mode", "enabled", "--shards", str(shards),
         "--replicas", "1", "--json", report, "--report-dir", os.path.join(workdir, f"reports-{shards}")],
        capture_output=True, text=True, cwd=PROJECT, timeout=1200,
    )
    wall = round(time.monotonic() - started, 1)
    match = re.search(r"largest state: (\d+) bytes \(([^)]+)\), limit (\d+)", out.stderr)
    preflight = re.search(r"preflight state: (\d+) bytes", out.stderr)
    r = {}
    if os.path.exists(report):
        with open(report) as f:
            r = json.load(f)
    shards_seen = r.get("shards") or []
    return {
        "shards": shards,
        "exitCode": out.returncode,
        "wallSeconds": wall,
        "verdict": r.get("verdict"),
        "shardsReported": len(shards_seen),
        "shardsWithWrites": sum(1 for s in shards_seen if (s.get("writes") or {}).get("attempted", 0) > 0),
        "largestState": int(match.group(1)) if match else None,
        "largestStateName": match.group(2) if match else None,
        "limit": int(match.group(3)) if match else None,
        # The request and the plan: the state every later one carries (the shard map is in the store).
        "preflightState": int(preflight.group(1)) if preflight else None,
        "stderrTail": out.stderr[-1500:] if out.returncode != 0 or not match else "",
    }


with tempfile.TemporaryDirectory(prefix="large-cluster-") as workdir:
    # One after the other: the small drill's figures are not to be the large one's load.
    small = drill(3, workdir)
    large = drill(SHARDS, workdir)

allowed = (SHARDS - 3) * PLAN_BYTES_PER_SHARD + RUN_TO_RUN_BYTES
growth = (
    large["largestState"] - small["largestState"]
    if large["largestState"] is not None and small["largestState"] is not None
    else None
)
checks = {
    "passed": all(d["exitCode"] == 0 and d["verdict"] == "pass" for d in (small, large)),
    "everyShardReported": large["shardsReported"] == SHARDS and large["shardsWithWrites"] == SHARDS,
    "underLimit": all(d["largestState"] is not None and d["largestState"] <= LIMIT for d in (small, large)),
    "constantState": growth is not None and growth <= allowed,
}
findings = {"ok": all(checks.values()), **checks, "growthBytes": growth, "allowedGrowthBytes": allowed,
            "small": small, "large": large}
print(json.dumps(findings))
sys.exit(0 if findings["ok"] else 1)
