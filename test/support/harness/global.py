"""A harness outside the project: against a running `failover-drill emulator --global`, drives a regional
failover with AWS's own client (boto3) as an operator would: DescribeGlobalReplicationGroups (ShowMemberInfo),
FailoverGlobalReplicationGroup to the secondary region, then describes until the members' roles have swapped.
Every answer is walked against botocore's own model of its output shape (members, required members, types,
enums), and the harness judges only what boto3 and the model say.

Usage: global.py READY_JSON, READY_JSON the emulator's ready line. Prints one JSON object of findings; exits 0
when every check holds, 1 otherwise. It starts nothing itself.
"""

import datetime
import json
import sys
import time

import boto3

ready = json.loads(sys.argv[1])
env = ready["env"]
g = ready["global"]
primary, secondary = g["primary"], g["secondary"]


def client(region):
    # Each region's control plane answers for the region the client signs for, as AWS's regional endpoints do.
    return boto3.client("elasticache", region_name=region, endpoint_url=ready["endpoint"],
                        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])


us, eu = client(primary["region"]), client(secondary["region"])
model = us.meta.service_model
SCALARS = {
    "string": str, "boolean": bool, "integer": int, "long": int, "double": (int, float),
    "float": (int, float), "timestamp": datetime.datetime, "blob": bytes,
}


def problems_of(shape, value, path):
    """Where `value` departs from botocore's `shape`: a member the model lacks, a required one absent, a type."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not a structure"]
        found = [f"{path}.{k}: not in {shape.name}" for k in value if k not in shape.members]
        found += [f"{path}.{k}: required, absent" for k in shape.required_members if k not in value]
        for k, v in value.items():
            if k in shape.members:
                found += problems_of(shape.members[k], v, f"{path}.{k}")
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__}, not a list"]
        return [p for i, v in enumerate(value) for p in problems_of(shape.member, v, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not a map"]
        return [p for k, v in value.items() for p in problems_of(shape.value, v, f"{path}.{k}")]
    expected = SCALARS.get(kind)
    if expected is None:
        return [f"{path}: unknown shape type {kind}"]
    # bool is an int in Python: an integer member holding True is a departure too.
    if not isinstance(value, expected) or (kind in ("integer", "long") and isinstance(value, bool)):
        return [f"{path}: {type(value).__name__}, not {kind}"]
    enum = shape.enum if kind == "string" else []
    if enum and value not in enum:
        return [f"{path}: {value!r} not in {enum}"]
    return []


answers = []


def call(c, operation, **params):
    """One call through boto3 (which validates the parameters), its answer walked against the output shape."""
    answer = getattr(c, operation)(**params)
    body = {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    name = c.meta.method_to_api_mapping[operation]
    answers.append({"operation": name, "region": c.meta.region_name,
                    "problems": problems_of(model.operation_model(name).output_shape, body, name)})
    return answer


def roles(c):
    d = call(c, "describe_global_replication_groups", GlobalReplicationGroupId=g["globalReplicationGroupId"],
             ShowMemberInfo=True)["GlobalReplicationGroups"][0]
    return d["Status"], {m["ReplicationGroupRegion"]: m["Role"] for m in d.get("Members", [])}


status_before, before = roles(eu)
failover = call(eu, "failover_global_replication_group", GlobalReplicationGroupId=g["globalReplicationGroupId"],
                PrimaryRegion=secondary["region"], PrimaryReplicationGroupId=secondary["replicationGroupId"])
swapped = {primary["region"]: "secondary", secondary["region"]: "primary"}
deadline = time.monotonic() + 60
status_after, after = roles(us)
while (after != swapped or status_after != "available") and time.monotonic() < deadline:
    time.sleep(0.2)
    status_after, after = roles(us)

findings = {
    "before": {"status": status_before, "roles": before},
    "failoverStatus": failover["GlobalReplicationGroup"]["Status"],
    "after": {"status": status_after, "roles": after},
    "operations": sorted({a["operation"] for a in answers}),
    "answers": len(answers),
    "problems": [p for a in answers for p in a["problems"]],
}
findings["ok"] = (
    before == {primary["region"]: "primary", secondary["region"]: "secondary"}
    and status_before == "available"
    and findings["failoverStatus"] == "modifying"
    and after == swapped
    and status_after == "available"
    and not findings["problems"]
)
print(json.dumps(findings))
sys.exit(0 if findings["ok"] else 1)
