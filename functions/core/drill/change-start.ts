/**
 * Starts a planned change (faults/reshard.ts, scale.ts, engine-upgrade.ts, replicas.ts) on the control plane: the TriggerFailover Lambda's call for
 * the sources whose recovery is read as a `change`. Apart from change.ts so that AwaitRecovery, which only
 * follows the change, never holds the call.
 */
import {
  DecreaseReplicaCountCommand,
  type ElastiCacheClient,
  IncreaseReplicaCountCommand,
  ModifyReplicationGroupCommand,
  ModifyReplicationGroupShardConfigurationCommand,
} from '@aws-sdk/client-elasticache';
import { describe, type GroupShape, shapeNow } from './change.js';
import type { EngineUpgrade } from './faults/engine-upgrade.js';
import type { Replicas } from './faults/replicas.js';
import { nodeGroupsToRemove, type Reshard } from './faults/reshard.js';
import type { Scale } from './faults/scale.js';
import type { DrillPlan } from './plan.js';
import type { Recovery } from './recovery.js';

/** Starts the plan's planned change; T0 is taken just before the call. `beforeFault` as in triggerFailover. */
export async function startChange(
  plan: DrillPlan,
  elastiCache: ElastiCacheClient,
  options: { now?: () => number; beforeFault?: () => Promise<void> } = {},
): Promise<Recovery> {
  const { fault } = plan.request;
  if (typeof fault !== 'object' || !(fault.source in PLANNED)) throw new Error('no planned change to start');
  await options.beforeFault?.();
  const id = plan.target.replicationGroupId;
  const group = await describe(elastiCache, id);
  const before = await shapeNow(elastiCache, group);
  const { requested, command } = PLANNED[fault.source as keyof typeof PLANNED](fault as never, id, before);
  const requestedAt = (options.now ?? Date.now)();
  await elastiCache.send(command as never);
  return {
    requestedAt,
    polls: 0,
    done: false,
    events: [],
    change: {
      source: fault.source,
      requested,
      progress: [],
      before,
    },
  };
}

type Planned<F> = (
  fault: F,
  id: string,
  before: GroupShape,
) => { requested: Record<string, number | string>; command: unknown };

/** Each planned change's call: what was asked, and the request that asks it (ApplyImmediately always). */
const PLANNED: {
  reshard: Planned<Reshard>;
  scale: Planned<Scale>;
  'engine-upgrade': Planned<EngineUpgrade>;
  replicas: Planned<Replicas>;
} = {
  reshard: (fault, id, before) => {
    const remove = nodeGroupsToRemove(
      before.nodeGroups.map((ng) => ng.id),
      fault.nodeGroupCount,
    );
    return {
      requested: { nodeGroupCount: fault.nodeGroupCount },
      command: new ModifyReplicationGroupShardConfigurationCommand({
        ReplicationGroupId: id,
        NodeGroupCount: fault.nodeGroupCount,
        ApplyImmediately: true,
        NodeGroupsToRemove: remove.length > 0 ? remove : undefined,
      }),
    };
  },
  scale: (fault, id) => ({
    requested: { cacheNodeType: fault.cacheNodeType },
    command: new ModifyReplicationGroupCommand({
      ReplicationGroupId: id,
      CacheNodeType: fault.cacheNodeType,
      ApplyImmediately: true,
    }),
  }),
  'engine-upgrade': (fault, id) => ({
    requested: { engineVersion: fault.engineVersion },
    command: new ModifyReplicationGroupCommand({
      ReplicationGroupId: id,
      EngineVersion: fault.engineVersion,
      ApplyImmediately: true,
    }),
  }),
  // More replicas than the first node group has today is an increase; the guardrail refused "as many".
  replicas: (fault, id, before) => {
    const input = { ReplicationGroupId: id, NewReplicaCount: fault.newReplicaCount, ApplyImmediately: true };
    const today = before.nodeGroups[0]?.replicas ?? 0;
    return {
      requested: { newReplicaCount: fault.newReplicaCount },
      command:
        fault.newReplicaCount > today
          ? new IncreaseReplicaCountCommand(input)
          : new DecreaseReplicaCountCommand(input),
    };
  },
};
