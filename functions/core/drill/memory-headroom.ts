/**
 * The memory headroom guardrail of a scale-in (a reshard to fewer node groups). AWS's best practice: the
 * retained shards need free memory of 1.5× what the removed ones use, or the slots moved in fill them.
 * The figures are CloudWatch's, per node: BytesUsedForCache (used_memory) and DatabaseMemoryUsagePercentage
 * (used_memory / maxmemory), so maxmemory = used ÷ percentage. CloudWatch, because Preflight runs outside the
 * VPC, before anything is touched, and never reaches the data plane; and no key is scanned.
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import { MemoryHeadroomError } from '../../shared/errors.js';

/** The retained shards' free memory must be at least this many times what the removed ones use. */
export const HEADROOM_FACTOR = 1.5;

/** GetMetricData's most queries a call. */
const MAX_QUERIES = 500;

/** How far back the latest datapoint is looked for: ElastiCache publishes node metrics every minute. */
const WINDOW_MS = 10 * 60 * 1000;

/** One node group's memory: the most any member uses, the least any member may use (bytes). */
export interface ShardMemory {
  nodeGroupId: string;
  usedBytes: number | null;
  maxBytes: number | null;
}

/** The headroom of removing `removed`: what the retained shards have free, and what they need. Pure. */
export function headroomOf(
  shards: readonly ShardMemory[],
  removed: readonly string[],
): { free: number; needed: number; unknown: string[] } {
  const unknown = shards.filter((s) => s.usedBytes === null || s.maxBytes === null).map((s) => s.nodeGroupId);
  const known = shards.filter((s) => !unknown.includes(s.nodeGroupId));
  const gone = known.filter((s) => removed.includes(s.nodeGroupId));
  const kept = known.filter((s) => !removed.includes(s.nodeGroupId));
  const used = gone.reduce((sum, s) => sum + (s.usedBytes ?? 0), 0);
  const free = kept.reduce((sum, s) => sum + Math.max(0, (s.maxBytes ?? 0) - (s.usedBytes ?? 0)), 0);
  return { free, needed: HEADROOM_FACTOR * used, unknown };
}

/** Each node group's memory, from every member's latest CloudWatch datapoints. */
export async function readShardMemory(
  cloudWatch: CloudWatchClient,
  group: ReplicationGroup,
  now: number,
): Promise<ShardMemory[]> {
  const members = (group.NodeGroups ?? []).flatMap((ng) =>
    (ng.NodeGroupMembers ?? []).map((m) => ({
      nodeGroupId: ng.NodeGroupId ?? '',
      node: m.CacheClusterId ?? '',
    })),
  );
  const query = (metricName: string, node: string, i: number) => ({
    Id: `${metricName === 'BytesUsedForCache' ? 'used' : 'pct'}${i}`,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ElastiCache',
        MetricName: metricName,
        Dimensions: [
          { Name: 'CacheClusterId', Value: node },
          { Name: 'CacheNodeId', Value: '0001' },
        ],
      },
      Period: 60,
      Stat: 'Maximum',
    },
  });
  const queries = members.flatMap((m, i) => [
    query('BytesUsedForCache', m.node, i),
    query('DatabaseMemoryUsagePercentage', m.node, i),
  ]);
  // GetMetricData takes at most 500 queries a call: a large cluster's members take several.
  const results: MetricDataResult[] = [];
  for (let from = 0; from < queries.length; from += MAX_QUERIES) {
    const out = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - WINDOW_MS),
        EndTime: new Date(now + 60_000),
        ScanBy: 'TimestampDescending',
        MetricDataQueries: queries.slice(from, from + MAX_QUERIES),
      }),
    );
    results.push(...(out.MetricDataResults ?? []));
  }
  const latest = (id: string) => results.find((r) => r.Id === id)?.Values?.[0];
  const shards = new Map<string, ShardMemory>();
  members.forEach((m, i) => {
    const used = latest(`used${i}`);
    const percent = latest(`pct${i}`);
    const max = used !== undefined && percent ? (used * 100) / percent : undefined;
    const shard = shards.get(m.nodeGroupId);
    const next: ShardMemory = {
      nodeGroupId: m.nodeGroupId,
      // A member without a figure leaves the shard unknown: the guardrail then refuses rather than guess.
      usedBytes:
        used === undefined || shard?.usedBytes === null ? null : Math.max(used, shard?.usedBytes ?? 0),
      maxBytes:
        max === undefined || shard?.maxBytes === null ? null : Math.min(max, shard?.maxBytes ?? Infinity),
    };
    shards.set(m.nodeGroupId, next);
  });
  return [...shards.values()];
}

/** Refuses the scale-in (MemoryHeadroomError) unless the retained shards have the headroom, read now. */
export async function checkMemoryHeadroom(
  cloudWatch: CloudWatchClient,
  group: ReplicationGroup,
  removed: readonly string[],
  now: number,
): Promise<void> {
  if (removed.length === 0) return;
  const { free, needed, unknown } = headroomOf(await readShardMemory(cloudWatch, group, now), removed);
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  if (unknown.length > 0)
    throw new MemoryHeadroomError(
      `CloudWatch publishes no BytesUsedForCache or DatabaseMemoryUsagePercentage for node groups ${unknown.join(', ')}: the headroom of removing ${removed.join(', ')} cannot be judged`,
    );
  if (free < needed)
    throw new MemoryHeadroomError(
      `the retained node groups have ${mb(free)} free, and removing ${removed.join(', ')} needs ${HEADROOM_FACTOR}× their ${mb(needed / HEADROOM_FACTOR)} used: ${mb(needed)}`,
    );
}
