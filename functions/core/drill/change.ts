/**
 * Planned changes as faults (faults/reshard.ts): start the change on the control plane, then follow it in
 * DescribeReplicationGroups, as AWS reports it, until it is applied: the group `available` with nothing
 * pending and resharding at 100 %. The progress read on the way goes to the report (`report.change`).
 */
import {
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import * as z from 'zod';
import { RecoveryTimeoutError } from '../../shared/errors.js';
import { hasReplicaCount, replicaCounts } from './faults/replicas.js';
import { pendingModification } from './faults/reshard.js';
import type { DrillPlan } from './plan.js';
import type { PollClock, Recovery } from './recovery.js';

/** The group's shape a change is about: its node groups and their slots, its node type, its engine version. */
export const groupShapeSchema = z.object({
  nodeGroups: z.array(
    z.object({
      id: z.string(),
      slots: z.string().optional(),
      /** Its replicas: every member but the primary (faults/replicas.ts). */
      replicas: z.number().optional(),
    }),
  ),
  cacheNodeType: z.string().optional(),
  engineVersion: z.string().optional(),
});
export type GroupShape = z.infer<typeof groupShapeSchema>;

/** A planned change as it went: what was asked, its progress as AWS reported it, the group before and after. */
export const changeSchema = z.object({
  source: z.string(),
  requested: z.record(z.string(), z.union([z.number(), z.string()])),
  /** Epoch ms of each reading, with AWS's ProgressPercentage (100 once applied); repeats are left out. */
  progress: z.array(z.object({ at: z.number(), percent: z.number() })),
  before: groupShapeSchema,
  after: groupShapeSchema.optional(),
  /** Epoch ms of the first reading that found it applied. */
  finishedAt: z.number().optional(),
});
export type Change = z.infer<typeof changeSchema>;

/** At most this many progress readings travel in the state (a long change keeps its first and latest). */
const MAX_READINGS = 200;

export function shapeOf(group: ReplicationGroup | undefined): GroupShape {
  return {
    nodeGroups: (group?.NodeGroups ?? []).map((ng, i) => ({
      id: ng.NodeGroupId ?? '',
      slots: ng.Slots,
      replicas: replicaCounts(group)[i],
    })),
    cacheNodeType: group?.CacheNodeType,
  };
}

/**
 * The group's shape now, with its engine version: DescribeReplicationGroups does not tell it, so the first
 * member's CacheCluster (DescribeCacheClusters) does.
 */
export async function shapeNow(
  elastiCache: ElastiCacheClient,
  group: ReplicationGroup | undefined,
): Promise<GroupShape> {
  const member = group?.MemberClusters?.[0];
  const cluster = member
    ? await elastiCache.send(new DescribeCacheClustersCommand({ CacheClusterId: member }))
    : undefined;
  const engineVersion = cluster?.CacheClusters?.[0]?.EngineVersion;
  return { ...shapeOf(group), ...(engineVersion ? { engineVersion } : {}) };
}

export async function describe(
  elastiCache: ElastiCacheClient,
  id: string,
): Promise<ReplicationGroup | undefined> {
  const out = await elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
  return out.ReplicationGroups?.[0];
}

/** Whether a described group has the change applied: available, nothing pending. */
export function applied(group: ReplicationGroup | undefined): boolean {
  return group?.Status === 'available' && !pendingModification(group.PendingModifiedValues);
}

/** Whether what was asked shows in the group: a new replica count in every node group (faults/replicas.ts). */
export function reached(requested: Change['requested'], group: ReplicationGroup | undefined): boolean {
  const count = requested.newReplicaCount;
  return typeof count !== 'number' || hasReplicaCount(group, count);
}

/** AWS's ProgressPercentage of the resharding under way; 100 once applied, 0 before it shows. */
export function percentOf(group: ReplicationGroup | undefined): number {
  if (applied(group)) return 100;
  return group?.PendingModifiedValues?.Resharding?.SlotMigration?.ProgressPercentage ?? 0;
}

/**
 * Follows the change for at most one poll window; the state machine loops until `done`. The stop conditions
 * are checked with every poll; past recovery.maxWaitSeconds from T0 it is a RecoveryTimeoutError.
 */
export async function awaitChange(
  plan: DrillPlan,
  previous: Recovery,
  elastiCache: ElastiCacheClient,
  clock: PollClock,
  checkStop: () => Promise<void> = async () => {},
): Promise<Recovery> {
  const change = previous.change;
  if (!change) throw new Error('no planned change to follow');
  const { recovery: settings } = plan.request;
  const id = plan.target.replicationGroupId;
  const deadline = previous.requestedAt + settings.maxWaitSeconds * 1000;
  const windowEnd = Math.min(deadline, clock.now() + settings.pollWindowSeconds * 1000);
  const progress = [...change.progress];
  let polls = previous.polls;
  for (;;) {
    polls++;
    await checkStop();
    const group = await describe(elastiCache, id);
    const at = clock.now();
    const percent = percentOf(group);
    if (progress.at(-1)?.percent !== percent) progress.push({ at, percent });
    if (progress.length > MAX_READINGS) progress.splice(1, 1);
    if (applied(group) && reached(change.requested, group)) {
      const after = await shapeNow(elastiCache, group);
      const message = `${change.source} applied: ${after.nodeGroups.length} node groups`;
      return {
        ...previous,
        polls,
        done: true,
        events: [...previous.events, { at, source: id, message }],
        change: { ...change, progress, after, finishedAt: at },
      };
    }
    if (at >= deadline)
      throw new RecoveryTimeoutError(
        `${change.source} of ${id} was not applied within ${settings.maxWaitSeconds} s (${polls} polls, ${percent} %)`,
      );
    if (at + settings.pollIntervalSeconds * 1000 > windowEnd)
      return { ...previous, polls, done: false, change: { ...change, progress } };
    await clock.sleep(settings.pollIntervalSeconds * 1000);
  }
}
