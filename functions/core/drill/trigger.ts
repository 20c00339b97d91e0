import { type ElastiCacheClient, TestFailoverCommand } from '@aws-sdk/client-elasticache';
import { startChange } from './change-start.js';
import { sourceOf } from './faults/index.js';
import type { DrillPlan } from './plan.js';
import type { Recovery } from './recovery.js';

/**
 * Calls TestFailover on the plan's node group; T0 is taken just before the call. `beforeFault` (the
 * stop conditions) runs first: when it throws, no fault is injected. A planned change (a source whose
 * recovery is read as a `change`) is started instead (`startChange`).
 */
export async function triggerFailover(
  plan: DrillPlan,
  elastiCache: ElastiCacheClient,
  options: { now?: () => number; beforeFault?: () => Promise<void> } = {},
): Promise<Recovery> {
  if (sourceOf(plan.request.fault).recovery.recoveredBy === 'change')
    return startChange(plan, elastiCache, options);
  await options.beforeFault?.();
  const requestedAt = (options.now ?? Date.now)();
  await elastiCache.send(
    new TestFailoverCommand({
      ReplicationGroupId: plan.target.replicationGroupId,
      NodeGroupId: plan.target.nodeGroupId,
    }),
  );
  return { requestedAt, polls: 0, done: false, events: [] };
}
