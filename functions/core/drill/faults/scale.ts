/**
 * `fault: { source: "scale", cacheNodeType }`: a planned change, a node-type change (ModifyReplicationGroup
 * with CacheNodeType and ApplyImmediately). ElastiCache replaces every node: new nodes sync, the primary
 * fails over to its replacement (about a second without writes with replicas, by AWS's account), the old
 * nodes are deleted and their connections dropped. The TriggerFailover Lambda starts it (`startChange`);
 * AwaitRecovery follows it in DescribeReplicationGroups until the group is `available` with the new type.
 * Nothing is left to undo: a started change cannot be stopped, and it leaves the group working.
 */
import * as z from 'zod';
import type { FaultSource } from './index.js';
import { pendingModification } from './reshard.js';

export const scaleSchema = z.strictObject({
  source: z.literal('scale'),
  /** The node type the group has afterwards (cache.<family>.<size>); differs from the current one. */
  cacheNodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'a node type such as cache.r7g.large'),
});
export type Scale = z.output<typeof scaleSchema>;

export const scale: FaultSource<'scale', Scale> = {
  name: 'scale',
  summary: 'a node-type change (ModifyReplicationGroup CacheNodeType): every node replaced',
  schema: scaleSchema,
  checkRequest: () => undefined,
  guardrails: {
    // ElastiCache's own failover to the new nodes, not TestFailover's.
    needsAutomaticFailover: false,
    spendsTestFailoverBudget: false,
    judge: (fault, { group }, refuse) => {
      const id = group.ReplicationGroupId;
      if (group.CacheNodeType === fault.cacheNodeType)
        refuse('nothing-to-change', `${id} already has node type ${fault.cacheNodeType}`);
      if (pendingModification(group.PendingModifiedValues))
        refuse('modification-pending', `${id} has a modification pending: wait until it is applied`);
      return {};
    },
  },
  start: { state: 'StartScale', by: 'lambda' },
  recovery: {
    endedBy: 'DescribeReplicationGroups: available with the new node type, nothing pending',
    recoveredBy: 'change',
  },
  undo: null,
  report: {
    injects: true,
    requested: 'ModifyReplicationGroup (CacheNodeType) requested',
    dryRun: ({ target }) =>
      `would change the node type of ${target.replicationGroupId} (ModifyReplicationGroup): every node replaced while the writers run`,
  },
  asl: { entry: 'StartScale', branch: ['StartScale'], outside: [] },
};
