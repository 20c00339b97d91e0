"""A harness outside the project: against a running `failover-drill emulator --cluster-mode enabled
--shards 2`, runs `failover-drill gate` with fault {source: reshard, nodeGroupCount: 3} and judges only
what a user gets back (the exit code, the --json report) and what AWS's own client (boto3) and the cluster
itself (CLUSTER SHARDS, through redis-cli) say of the group afterwards.

Usage: reshard.py READY_JSON WORKDIR, READY_JSON the emulator's ready line. Prints one JSON object of
findings; exits 0 when every check holds, 1 otherwise.
"""

import json
import os
import subprocess
import sys

import boto3

ready = json.loads(sys.argv[1])
workdir = sys.argv[2]
env = {**os.environ, **ready["env"]}
project = os.path.join(os.path.dirname(__file__), "..", "..", "..")

INPUT = {
    "replicationGroupId": ready["groupId"],
    "fault": {"source": "reshard", "nodeGroupCount": 3},
    "writer": {"rate": 500, "baselineSeconds": 3, "settleSeconds": 2, "maxDurationSeconds": 20},
    "recovery": {"pollIntervalSeconds": 0.2, "pollWindowSeconds": 10, "maxWaitSeconds": 60},
}
input_file = os.path.join(workdir, "reshard.in.json")
report_file = os.path.join(workdir, "reshard.json")
with open(input_file, "w") as f:
    json.dump(INPUT, f)

out = subprocess.run(
    ["node", "--import", "tsx", "cli/main.ts", "gate", "--state-machine-arn", ready["stateMachineArn"],
     "--replication-group", ready["groupId"], "--input", input_file, "--poll-interval", "0.2",
     "--json", report_file],
    capture_output=True, text=True, cwd=project, env=env, timeout=240,
)
with open(report_file) as f:
    r = json.load(f)

ec = boto3.client("elasticache", region_name=ready["region"], endpoint_url=ready["endpoint"],
                  aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
group = ec.describe_replication_groups(ReplicationGroupId=ready["groupId"])["ReplicationGroups"][0]
boto_slots = sorted((ng["NodeGroupId"], ng["Slots"]) for ng in group["NodeGroups"])


def ranges(text):
    return [tuple(int(x) for x in (part.split("-") * 2)[:2]) for part in text.split(",")]


covered = sorted(s for _, text in boto_slots for lo, hi in ranges(text) for s in range(lo, hi + 1))

# CLUSTER SHARDS from a node of the group, as the cluster itself tells its slot map.
cfg = group["ConfigurationEndpoint"]
shards_out = subprocess.run(
    ["redis-cli", "-h", cfg["Address"], "-p", str(cfg["Port"]), "--json", "CLUSTER", "SHARDS"],
    capture_output=True, text=True, timeout=10,
).stdout
cluster_slots = []
try:
    for shard in json.loads(shards_out):
        # redis-cli --json gives each shard as an object (a RESP3 map), or as a flat list of fields.
        fields = shard if isinstance(shard, dict) else dict(zip(shard[::2], shard[1::2]))
        s = fields["slots"]
        if s:
            cluster_slots.append(",".join(f"{s[i]}-{s[i + 1]}" for i in range(0, len(s), 2)))
except (ValueError, KeyError, TypeError):
    pass

change = r.get("change") or {}
shard_errors = {s["nodeGroupId"]: s.get("errors", {}) for s in r.get("shards", [])}
redirections = sum(
    e["count"] for errors in shard_errors.values() for kind, e in errors.items() if kind in ("MOVED", "ASK")
)
findings = {
    "exitCode": out.returncode,
    "verdict": r["verdict"],
    "writes": {k: r["writes"][k] for k in ("acknowledged", "lost", "unexpected")},
    "status": group["Status"],
    "boto3": boto_slots,
    "clusterShards": sorted(cluster_slots),
    "covers": covered == list(range(16384)),
    "change": {
        "source": change.get("source"),
        "requested": change.get("requested"),
        "finished": change.get("finishedMs") is not None,
        "lastPercent": (change.get("progress") or [{}])[-1].get("percent"),
        "readings": len(change.get("progress") or []),
        "before": len((change.get("before") or {}).get("nodeGroups", [])),
        "after": len((change.get("after") or {}).get("nodeGroups", [])),
    },
    # The shard writers' MOVED and ASK: chance, since a writer's one slot is hashed from the run id and may not
    # move (test/integration/reshard-redirections.test.ts pins the count on a slot that does).
    "redirections": redirections,
    "redirectionClients": [c.get("client") for c in change.get("redirections") or []],
    "error": r.get("error"),
    "stderr": out.stderr[-2000:] if out.returncode != 0 else "",
}
findings["ok"] = (
    out.returncode == 0
    and r["verdict"] == "pass"
    and r["writes"]["lost"] == 0
    and r["writes"]["unexpected"] == 0
    and r["writes"]["acknowledged"] > 1000
    and group["Status"] == "available"
    and len(boto_slots) == 3
    and findings["covers"]
    and sorted(text for _, text in boto_slots) == sorted(cluster_slots)
    and findings["change"]["finished"]
    and findings["change"]["lastPercent"] == 100
    and findings["change"]["before"] == 2
    and findings["change"]["after"] == 3
    and "probe" in findings["redirectionClients"]
)
print(json.dumps(findings))
sys.exit(0 if findings["ok"] else 1)
