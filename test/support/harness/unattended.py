"""A harness outside the project: drives `failover-drill emulator` through boto3 (botocore's own
service models), never through this project's code, and checks the unattended-safety contract:

1. a stop-condition alarm fired (SetAlarmState) while a drill runs ends it in StopConditionError;
2. an execution stopped (StopExecution) while its writer runs leaves no run key and no lock within 30 s;
3. a dry run succeeds without a TestFailover, a key or a lock.

Usage: unattended.py READY_JSON ALARM_NAME. Prints one JSON object of findings; exits 0 when every
check holds, 1 otherwise (the findings say which).
"""

import json
import subprocess
import sys
import time

import boto3

ready = json.loads(sys.argv[1])
alarm = sys.argv[2]
session = boto3.session.Session(
    aws_access_key_id="local", aws_secret_access_key="local", region_name=ready["region"]
)
config = boto3.session.Config(retries={"max_attempts": 1, "mode": "standard"})
sfn = session.client("stepfunctions", endpoint_url=ready["endpoint"], config=config)
cloudwatch = session.client("cloudwatch", endpoint_url=ready["endpoint"], config=config)
elasticache = session.client("elasticache", endpoint_url=ready["endpoint"], config=config)
primary = ready["primaryEndpoint"]
machine = ready["stateMachineArn"]
group = ready["groupId"]

FAST = {
    "replicationGroupId": group,
    "writer": {"rate": 500, "baselineSeconds": 2, "settleSeconds": 2, "maxDurationSeconds": 60},
    "recovery": {"pollIntervalSeconds": 0.2, "pollWindowSeconds": 10, "maxWaitSeconds": 60},
}


def start(name, extra):
    request = {**FAST, **extra}
    return sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(request))["executionArn"]


def entered(arn):
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def wait_until(predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def finished(arn, timeout=120):
    return wait_until(
        lambda: (lambda d: d if d["status"] != "RUNNING" else None)(sfn.describe_execution(executionArn=arn)),
        timeout,
    )


def run_keys(run_id):
    out = subprocess.run(
        ["redis-cli", "-h", primary["host"], "-p", str(primary["port"]), "--scan", "--pattern", f"failover-drill:{run_id}:*"],
        capture_output=True, text=True, check=True,
    )
    return [line for line in out.stdout.splitlines() if line]


def group_arn():
    return elasticache.describe_replication_groups(ReplicationGroupId=group)["ReplicationGroups"][0]["ARN"]


def lock():
    tags = elasticache.list_tags_for_resource(ResourceName=group_arn())["TagList"]
    return [t["Value"] for t in tags if t["Key"] == "failover-drill:lock"]


def test_failovers():
    events = elasticache.describe_events(Duration=60)["Events"]
    return [e for e in events if e["Message"].startswith("Test Failover API called")]


findings = {}

# 1. A stop condition fires while the writer runs (in the baseline): StopConditionError, no TestFailover.
before = len(test_failovers())
arn = start("harness-stop-condition", {"guardrails": {"stopAlarmNames": [alarm]}})
wait_until(lambda: "Write" in entered(arn), 30)
time.sleep(0.5)
cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="the harness fired it")
described = finished(arn)
findings["stopCondition"] = {
    "status": described["status"],
    "error": described.get("error"),
    "testFailovers": len(test_failovers()) - before,
    "lock": lock(),
}
cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="reset by the harness")

# 2. An execution stopped while its writer runs: the reaper leaves no run key and no lock within 30 s.
arn = start("harness-stopped", {"writer": {**FAST["writer"], "baselineSeconds": 5}})
wait_until(lambda: "Write" in entered(arn), 30)
wait_until(lambda: run_keys("harness-stopped"), 10)
keys_while_running = len(run_keys("harness-stopped"))
sfn.stop_execution(executionArn=arn, error="HarnessStop", cause="stopped by the harness")
stopped_at = time.time()
clean = wait_until(lambda: not run_keys("harness-stopped") and not lock(), 30)
findings["stopped"] = {
    "status": sfn.describe_execution(executionArn=arn)["status"],
    "keysWhileRunning": keys_while_running,
    "keysLeft": len(run_keys("harness-stopped")),
    "lock": lock(),
    "cleanWithinSeconds": round(time.time() - stopped_at, 1) if clean else None,
}

# 3. A dry run: succeeds, no TestFailover, no key, no lock.
before = len(test_failovers())
arn = start("harness-dry-run", {"dryRun": True})
described = finished(arn)
output = json.loads(described.get("output") or "{}")
findings["dryRun"] = {
    "status": described["status"],
    "dryRun": output.get("dryRun"),
    "failoverBudgetLeft": output.get("preview", {}).get("failoverBudget", {}).get("left"),
    "testFailovers": len(test_failovers()) - before,
    "keys": len(run_keys("harness-dry-run")),
    "lock": lock(),
}

ok = (
    findings["stopCondition"]["status"] == "FAILED"
    and findings["stopCondition"]["error"] == "StopConditionError"
    and findings["stopCondition"]["testFailovers"] == 0
    and findings["stopCondition"]["lock"] == []
    and findings["stopped"]["status"] == "ABORTED"
    and findings["stopped"]["keysWhileRunning"] > 0
    and findings["stopped"]["keysLeft"] == 0
    and findings["stopped"]["lock"] == []
    and findings["stopped"]["cleanWithinSeconds"] is not None
    and findings["dryRun"]["status"] == "SUCCEEDED"
    and findings["dryRun"]["dryRun"] is True
    and findings["dryRun"]["testFailovers"] == 0
    and findings["dryRun"]["keys"] == 0
    and findings["dryRun"]["lock"] == []
)
print(json.dumps({"ok": ok, **findings}))
sys.exit(0 if ok else 1)
