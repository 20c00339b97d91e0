import { type ElastiCacheClient, TestFailoverCommand } from '@aws-sdk/client-elasticache';
import type { DrillPlan } from './plan.js';
import type { Recovery } from './recovery.js';

/** Calls TestFailover on the plan's node group; T0 is taken just before the call. */
export async function triggerFailover(
  plan: DrillPlan,
  elastiCache: ElastiCacheClient,
  now: () => number = Date.now,
): Promise<Recovery> {
  const requestedAt = now();
  await elastiCache.send(
    new TestFailoverCommand({
      ReplicationGroupId: plan.target.replicationGroupId,
      NodeGroupId: plan.target.nodeGroupId,
    }),
  );
  return { requestedAt, polls: 0, done: false, events: [] };
}
