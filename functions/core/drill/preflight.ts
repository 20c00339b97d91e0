import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddTagsToResourceCommand,
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-elasticache';
import { GuardrailError } from '../../shared/errors.js';
import { testFailoversLast24h as countTestFailovers } from './events.js';
import { enforce, judge, LOCK_TAG, lockValue, parseLock } from './guardrails.js';
import type { DrillPlan } from './plan.js';
import type { DrillRequest } from './request.js';

async function alarmStates(cloudWatch: CloudWatchClient, names: string[]) {
  if (names.length === 0) return { alarmsInAlarm: [], alarmsMissing: [] };
  const out = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: names, MaxRecords: 100 }));
  const found = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])];
  return {
    alarmsInAlarm: found.filter((a) => a.StateValue === 'ALARM').map((a) => a.AlarmName ?? ''),
    alarmsMissing: names.filter((n) => !found.some((a) => a.AlarmName === n)),
  };
}

/**
 * Describes the group, judges every guardrail, and only then takes the drill lock (a tag on the
 * group). Throws GuardrailError — with nothing touched — when any guardrail refuses.
 */
export async function preflight(
  request: DrillRequest,
  runId: string,
  clients: { elastiCache: ElastiCacheClient; cloudWatch: CloudWatchClient },
  now: () => number = Date.now,
): Promise<DrillPlan> {
  const { elastiCache, cloudWatch } = clients;
  const described = await elastiCache.send(
    new DescribeReplicationGroupsCommand({ ReplicationGroupId: request.replicationGroupId }),
  );
  const group = described.ReplicationGroups?.[0];
  if (!group?.ARN)
    throw new GuardrailError(`${request.replicationGroupId} was not described`, 'group-not-available');
  const [tags, testFailoversLast24h, alarms] = await Promise.all([
    elastiCache
      .send(new ListTagsForResourceCommand({ ResourceName: group.ARN }))
      .then((o) => o.TagList ?? []),
    request.fault === 'test-failover' ? countTestFailovers(elastiCache) : Promise.resolve(0),
    alarmStates(cloudWatch, request.guardrails.stopAlarmNames),
  ]);
  const acceptedAt = now();
  const target = enforce(judge(request, runId, { group, tags, testFailoversLast24h, ...alarms }, acceptedAt));

  const lock = lockValue(runId, acceptedAt + request.guardrails.lockTtlSeconds * 1000);
  await elastiCache.send(
    new AddTagsToResourceCommand({ ResourceName: target.arn, Tags: [{ Key: LOCK_TAG, Value: lock }] }),
  );
  // No compare-and-set on tags: read back, so that of two drills racing for the group one backs off.
  const after = await elastiCache.send(new ListTagsForResourceCommand({ ResourceName: target.arn }));
  const holder = parseLock(after.TagList?.find((t) => t.Key === LOCK_TAG)?.Value);
  if (holder?.runId !== runId) {
    throw new GuardrailError(
      `drill ${holder?.runId} took the lock on ${target.replicationGroupId} first`,
      'drill-in-progress',
    );
  }
  return { runId, request, target, acceptedAt, lock };
}
