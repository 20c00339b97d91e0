/**
 * Starts a planned change (faults/reshard.ts) on the control plane: the TriggerFailover Lambda's call for
 * the sources whose recovery is read as a `change`. Apart from change.ts so that AwaitRecovery, which only
 * follows the change, never holds the call.
 */
import {
  type ElastiCacheClient,
  ModifyReplicationGroupShardConfigurationCommand,
} from '@aws-sdk/client-elasticache';
import { describe, shapeOf } from './change.js';
import { nodeGroupsToRemove } from './faults/reshard.js';
import type { DrillPlan } from './plan.js';
import type { Recovery } from './recovery.js';

/** Starts the plan's planned change; T0 is taken just before the call. `beforeFault` as in triggerFailover. */
export async function startChange(
  plan: DrillPlan,
  elastiCache: ElastiCacheClient,
  options: { now?: () => number; beforeFault?: () => Promise<void> } = {},
): Promise<Recovery> {
  const { fault } = plan.request;
  if (typeof fault !== 'object' || fault.source !== 'reshard') throw new Error('no planned change to start');
  await options.beforeFault?.();
  const id = plan.target.replicationGroupId;
  const before = shapeOf(await describe(elastiCache, id));
  const remove = nodeGroupsToRemove(
    before.nodeGroups.map((ng) => ng.id),
    fault.nodeGroupCount,
  );
  const requestedAt = (options.now ?? Date.now)();
  await elastiCache.send(
    new ModifyReplicationGroupShardConfigurationCommand({
      ReplicationGroupId: id,
      NodeGroupCount: fault.nodeGroupCount,
      ApplyImmediately: true,
      NodeGroupsToRemove: remove.length > 0 ? remove : undefined,
    }),
  );
  return {
    requestedAt,
    polls: 0,
    done: false,
    events: [],
    change: {
      source: fault.source,
      requested: { nodeGroupCount: fault.nodeGroupCount },
      progress: [],
      before,
    },
  };
}
