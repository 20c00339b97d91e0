"""A harness outside the project: runs `failover-drill local` as a user would and judges only what a user
gets back (the --json report, the summary on stdout, the exit code), never this project's code:

- profiles: `--client ioredis-defaults --client FILE` (FILE a fail-fast profile the harness writes) beside
  the probe, with a client threshold: each profile's figures add up, the queueing client's wait shows as
  latency, the fail-fast one fails through the outage, the probe's own figures are intact (nothing lost,
  judged only by `thresholds.clients`), every key is cleaned up;
- cluster: a cluster-mode drill under the realistic failover model (each delay given): a view of every
  shard (nodeGroupId, writes, downtime, errors), the failed-over one marked, collateral named exactly
  when a shard not failed over saw non-ok writes.

Usage: client-profiles.py CLI_JSON WORKDIR [profiles|cluster ...], CLI_JSON the command that runs
failover-drill as a JSON array (e.g. ["node", "bin/failover-drill.js"]); default both drills. Prints one
JSON object of findings; exits 0 when every check holds, 1 otherwise (the findings say which).
"""

import json
import os
import re
import subprocess
import sys

cli = json.loads(sys.argv[1])
workdir = sys.argv[2]
parts = sys.argv[3:] or ["profiles", "cluster"]

INPUT = {
    "replicationGroupId": "drill-demo",
    "writer": {"rate": 500, "baselineSeconds": 2, "settleSeconds": 2, "maxDurationSeconds": 60},
    "recovery": {"pollIntervalSeconds": 0.2, "pollWindowSeconds": 10, "maxWaitSeconds": 60},
}
FAIL_FAST = {
    "name": "fail-fast",
    "library": "ioredis",
    "options": {"enableOfflineQueue": False, "maxRetriesPerRequest": 0, "commandTimeout": 200},
}


def write(name, value):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        json.dump(value, f)
    return path


def drill(name, args):
    report = os.path.join(workdir, f"{name}.json")
    out = subprocess.run(
        [*cli, "local", *args, "--json", report, "--report-dir", os.path.join(workdir, name)],
        capture_output=True, text=True, cwd=workdir, timeout=180,
    )
    with open(report) as f:
        return out, json.load(f)


def non_ok(w):
    return w["failed"] + w["indeterminate"]


def adds_up(w):
    return (
        w["acknowledged"] + w["failed"] + w["indeterminate"] == w["attempted"]
        and w["recovered"] + w["indeterminateAbsent"] == w["indeterminate"]
        and w["lost"] == 0
    )


def present(w):
    """Keys a writer left: acknowledged and kept, indeterminate but applied, failed but applied."""
    return w["acknowledged"] - w["lost"] + w["recovered"] + w.get("failedButPresent", 0)


def probe_intact(r):
    w = r["writes"]
    return w["lost"] == 0 and w["failedButPresent"] == 0 and w["unexpected"] == 0 and w["acknowledged"] > 1000


findings = {}

if "profiles" in parts:
    profile = write("fail-fast.json", FAIL_FAST)
    # Only a client that saw no error passes this threshold: the fail-fast profile exceeds it.
    threshold = write("input.json", {**INPUT, "thresholds": {"clients": {"maxNonOkWrites": 0}}})
    out, r = drill("profiles", ["--input", threshold, "--client", "ioredis-defaults", "--client", profile])
    clients = {c["name"]: c for c in r["clients"]}
    queued, fail_fast = clients.get("ioredis-defaults"), clients.get("fail-fast")
    findings["profiles"] = {
        "exitCode": out.returncode,
        "probe": {k: r["writes"][k] for k in ("acknowledged", "lost", "failedButPresent", "unexpected")},
        "probeDowntimeMs": r["downtime"]["ms"],
        "clients": {
            c["name"]: {
                "library": c["library"],
                "version": c["version"],
                "writes": c["writes"],
                "latencyMax": c["latency"]["max"],
                "downtimeMs": c["downtime"]["ms"],
                "verified": c["verified"],
                "addsUp": adds_up(c["writes"]),
            }
            for c in r["clients"]
        },
        "violations": [
            {k: v.get(k) for k in ("threshold", "client", "clientThreshold")}
            for v in r["violations"]
        ],
        "cleanedUp": r["cleanup"]["deleted"]
        == present({**r["writes"], "failedButPresent": 0}) + sum(present(c["writes"]) for c in r["clients"]),
        "summaryShowsClients": bool(re.search(r"what each client saw", out.stdout))
        and bool(re.search(r"fail-fast\s+ioredis \d", out.stdout)),
        "stderr": out.stderr[-2000:] if out.returncode not in (0, 1) else "",
    }
    f = findings["profiles"]
    f["ok"] = (
        queued is not None
        and fail_fast is not None
        and list(clients) == ["ioredis-defaults", "fail-fast"]
        and all(c["addsUp"] and c["verified"] for c in f["clients"].values())
        and all(c["reference"] == "T0" for c in r["clients"])
        # Queueing visible as latency: the queueing client waits through the outage, the fail-fast one never does
        and queued["writes"]["failed"] == 0
        and queued["latency"]["max"] > fail_fast["latency"]["max"]
        and queued["latency"]["max"] >= 0.5 * r["downtime"]["ms"]
        # The fail-fast profile fails through the outage
        and non_ok(fail_fast["writes"]) > 0
        # The probe's own figures are intact; the verdict is the client threshold's alone
        and probe_intact(r)
        and out.returncode == 1
        and {"threshold": "clients", "client": "fail-fast", "clientThreshold": "maxNonOkWrites"} in f["violations"]
        and all(v["threshold"] == "clients" for v in f["violations"])
        and f["cleanedUp"]
        and f["summaryShowsClients"]
    )

if "cluster" in parts:
    out, r = drill(
        "cluster",
        [
            "--cluster-mode", "enabled", "--shards", "3",
            "--failover-model", "realistic", "--detection-delay-ms", "500", "--stale-connections-ms", "500",
        ],
    )
    shards = r["shards"]
    target = [s["nodeGroupId"] for s in shards if s["target"]]
    collateral = [s["nodeGroupId"] for s in shards if not s["target"] and non_ok(s["writes"]) > 0]
    line = next((l for l in out.stdout.splitlines() if l.strip().startswith("collateral")), "")
    findings["cluster"] = {
        "exitCode": out.returncode,
        "probe": {k: r["writes"][k] for k in ("acknowledged", "lost", "failedButPresent", "unexpected")},
        "failedOver": r["drill"]["nodeGroupId"],
        "shards": [
            {
                "nodeGroupId": s.get("nodeGroupId"),
                "target": s.get("target"),
                "writes": s.get("writes"),
                "downtimeMs": s.get("downtime", {}).get("ms"),
                "errors": {kind: e["count"] for kind, e in s.get("errors", {}).items()},
                "verified": s.get("verified"),
            }
            for s in shards
        ],
        "collateral": r["collateral"],
        "collateralLine": line.strip(),
        "cleanedUp": r["cleanup"]["deleted"]
        == present({**r["writes"], "failedButPresent": 0}) + sum(present(s["writes"]) for s in shards),
        "stderr": out.stderr[-2000:] if out.returncode != 0 else "",
    }
    f = findings["cluster"]
    f["ok"] = (
        out.returncode == 0
        and probe_intact(r)
        # A view of every shard, each with its writes, downtime and errors, every figure adding up
        and sorted(s["nodeGroupId"] for s in shards) == ["0001", "0002", "0003"]
        and all({"nodeGroupId", "writes", "downtime", "errors"} <= set(s) for s in shards)
        and all(s["verified"] and adds_up(s["writes"]) and s["writes"]["attempted"] > 100 for s in shards)
        # The failed-over shard is marked and saw the outage
        and target == [r["drill"]["nodeGroupId"]]
        and all(non_ok(s["writes"]) > 0 and s["downtime"]["ms"] > 0 for s in shards if s["target"])
        # Collateral: exactly the shards not failed over that saw non-ok writes, called out in the summary
        and r["collateral"] == collateral
        and (all(g in line for g in collateral) if collateral else "none" in line)
        and f["cleanedUp"]
    )

ok = all(f["ok"] for f in findings.values())
print(json.dumps({"ok": ok, **findings}))
sys.exit(0 if ok else 1)
