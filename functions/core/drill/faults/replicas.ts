/**
 * `fault: { source: "replicas", newReplicaCount }`: a planned change, the replicas of every node group
 * added or removed (IncreaseReplicaCount or DecreaseReplicaCount with NewReplicaCount and ApplyImmediately).
 * AWS does it "with no cluster down time": new replicas sync from the primary, removed ones are deleted and
 * their connections dropped. The TriggerFailover Lambda starts it (`startChange`); AwaitRecovery follows it
 * in DescribeReplicationGroups until the group is `available`, nothing pending, and every node group has the
 * new count of replicas. Nothing is left to undo beyond the run's keys: a started change cannot be stopped,
 * and it leaves the group working.
 */
import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import * as z from 'zod';
import type { FaultSource } from './index.js';
import { pendingModification } from './reshard.js';

/** AWS's bounds of replicas per node group (ConfigureShard.NewReplicaCount: at most 5). */
export const MAX_REPLICAS = 5;

export const replicasSchema = z.strictObject({
  source: z.literal('replicas'),
  /** The replicas every node group has afterwards; differs from today's count. */
  newReplicaCount: z.number().int().min(0).max(MAX_REPLICAS),
});
export type Replicas = z.output<typeof replicasSchema>;

/** The replicas of each node group of a described group, in its order: every member but the primary. */
export function replicaCounts(group: Pick<ReplicationGroup, 'NodeGroups'> | undefined): number[] {
  return (group?.NodeGroups ?? []).map((ng) => Math.max(0, (ng.NodeGroupMembers ?? []).length - 1));
}

/** Whether every node group of a described group has `count` replicas (and there is a node group). */
export function hasReplicaCount(
  group: Pick<ReplicationGroup, 'NodeGroups'> | undefined,
  count: number,
): boolean {
  const counts = replicaCounts(group);
  return counts.length > 0 && counts.every((c) => c === count);
}

/** AWS keeps a replica where the group fails over automatically (Multi-AZ): its minimum is then 1. */
export function needsAReplica(group: Pick<ReplicationGroup, 'AutomaticFailover' | 'MultiAZ'>): boolean {
  return group.AutomaticFailover === 'enabled' || group.MultiAZ === 'enabled';
}

export const replicas: FaultSource<'replicas', Replicas> = {
  name: 'replicas',
  summary: 'replicas added or removed (Increase/DecreaseReplicaCount): new ones sync, removed ones stop',
  schema: replicasSchema,
  checkRequest: () => undefined,
  guardrails: {
    // No promotion: the primary stays.
    needsAutomaticFailover: false,
    spendsTestFailoverBudget: false,
    judge: (fault, { group }, refuse) => {
      const id = group.ReplicationGroupId;
      if (hasReplicaCount(group, fault.newReplicaCount))
        refuse('nothing-to-change', `${id} already has ${fault.newReplicaCount} replicas per node group`);
      if (fault.newReplicaCount === 0 && needsAReplica(group))
        refuse(
          'replica-needed',
          `${id} fails over automatically (Multi-AZ): AWS keeps at least 1 replica per node group`,
        );
      if (pendingModification(group.PendingModifiedValues))
        refuse('modification-pending', `${id} has a modification pending: wait until it is applied`);
      return {};
    },
  },
  start: { state: 'StartReplicas', by: 'lambda' },
  recovery: {
    endedBy:
      'DescribeReplicationGroups: available, nothing pending, the new replica count in every node group',
    recoveredBy: 'change',
  },
  undo: null,
  report: {
    injects: true,
    requested: 'IncreaseReplicaCount or DecreaseReplicaCount requested',
    dryRun: ({ target }) =>
      `would change the replicas of every node group of ${target.replicationGroupId} (Increase/DecreaseReplicaCount) while the writers run`,
  },
  asl: { entry: 'StartReplicas', branch: ['StartReplicas'], outside: [] },
};
