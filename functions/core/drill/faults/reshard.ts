/**
 * `fault: { source: "reshard", nodeGroupCount }`: a planned change, online resharding
 * (ModifyReplicationGroupShardConfiguration with ApplyImmediately), on a group with cluster mode enabled.
 * The change is the fault: slots move with their keys while the writers run, and the clients meet ASK and
 * MOVED. The TriggerFailover Lambda starts it (`startChange`, ../change.ts); AwaitRecovery follows it in
 * DescribeReplicationGroups until the group is `available` again with nothing pending (resharding at
 * 100 %). Scaling in removes the last node groups (`NodeGroupsToRemove`). Nothing is left to undo: a
 * started reshard cannot be stopped, and it leaves the group working.
 */
import * as z from 'zod';
import type { FaultSource } from './index.js';

/** AWS's quota of node groups per replication group. */
export const MAX_NODE_GROUPS = 500;

export const reshardSchema = z.strictObject({
  source: z.literal('reshard'),
  /** The node groups (shards) the group has afterwards; differs from the current count. */
  nodeGroupCount: z.number().int().min(1).max(MAX_NODE_GROUPS),
});
export type Reshard = z.output<typeof reshardSchema>;

/** The node groups a scale-in removes: the last ones, so that 0001 (and the drill's target) stays. */
export function nodeGroupsToRemove(current: readonly string[], nodeGroupCount: number): string[] {
  return nodeGroupCount >= current.length ? [] : [...current].sort().slice(nodeGroupCount);
}

export const reshard: FaultSource<'reshard', Reshard> = {
  name: 'reshard',
  summary: 'online resharding (ModifyReplicationGroupShardConfiguration): slots move with their keys',
  schema: reshardSchema,
  checkRequest: () => undefined,
  guardrails: {
    // No promotion: slots move between primaries.
    needsAutomaticFailover: false,
    spendsTestFailoverBudget: false,
    judge: (fault, { group, nodeGroup }, refuse) => {
      const id = group.ReplicationGroupId;
      const current = (group.NodeGroups ?? []).map((ng) => ng.NodeGroupId ?? '');
      if (group.ClusterEnabled !== true)
        refuse('cluster-mode-disabled', `${id} is not cluster mode enabled: it has no shards to reshard`);
      if (fault.nodeGroupCount === current.length)
        refuse('nothing-to-change', `${id} already has ${current.length} node groups`);
      if (pendingModification(group.PendingModifiedValues))
        refuse('modification-pending', `${id} has a modification pending: wait until it is applied`);
      if (nodeGroupsToRemove(current, fault.nodeGroupCount).includes(nodeGroup.NodeGroupId ?? ''))
        refuse('target-removed', `node group ${nodeGroup.NodeGroupId} would be removed: drill another one`);
      // The headroom is read from CloudWatch by Preflight (../memory-headroom.ts): the judge sees no figures.
      const removes = nodeGroupsToRemove(current, fault.nodeGroupCount);
      return removes.length > 0 ? { removesNodeGroups: removes } : {};
    },
  },
  start: { state: 'StartReshard', by: 'lambda' },
  recovery: {
    endedBy: 'DescribeReplicationGroups: available, nothing pending, resharding at 100 %',
    recoveredBy: 'change',
  },
  undo: null,
  report: {
    injects: true,
    requested: 'ModifyReplicationGroupShardConfiguration requested',
    dryRun: ({ target }) =>
      `would reshard ${target.replicationGroupId} (ModifyReplicationGroupShardConfiguration): slots would move with their keys while the writers run`,
  },
  asl: { entry: 'StartReshard', branch: ['StartReshard'], outside: [] },
};

/** Whether DescribeReplicationGroups' PendingModifiedValues names anything still to apply. */
export function pendingModification(pending: object | undefined): boolean {
  return Object.values(pending ?? {}).some((value) => value !== undefined && value !== null);
}
