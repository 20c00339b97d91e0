/**
 * `fault: { source: "engine-upgrade", engineVersion }`: a planned change, an engine upgrade
 * (ModifyReplicationGroup with EngineVersion and ApplyImmediately). ElastiCache replaces the nodes and
 * fails over to the upgraded ones ("a few seconds"), after which it "will terminate existing client
 * connections". The TriggerFailover Lambda starts it (`startChange`); AwaitRecovery follows it in
 * DescribeReplicationGroups until the group is `available` again. Nothing is left to undo: a started
 * upgrade cannot be stopped, and a downgrade is not possible.
 */
import * as z from 'zod';
import type { FaultSource } from './index.js';
import { pendingModification } from './reshard.js';

export const engineUpgradeSchema = z.strictObject({
  source: z.literal('engine-upgrade'),
  /** The engine version afterwards (major.minor, or major.minor.patch); above the current one. */
  engineVersion: z.string().regex(/^\d{1,3}\.\d{1,3}(\.\d{1,3})?$/, 'a version such as 7.1'),
});
export type EngineUpgrade = z.output<typeof engineUpgradeSchema>;

export const engineUpgrade: FaultSource<'engine-upgrade', EngineUpgrade> = {
  name: 'engine-upgrade',
  summary: 'an engine upgrade (ModifyReplicationGroup EngineVersion): nodes replaced, connections closed',
  schema: engineUpgradeSchema,
  checkRequest: () => undefined,
  guardrails: {
    // ElastiCache's own failover to the upgraded nodes, not TestFailover's.
    needsAutomaticFailover: false,
    spendsTestFailoverBudget: false,
    // DescribeReplicationGroups does not tell the engine version: a downgrade is refused by the API
    // itself (InvalidParameterCombination), before anything changes.
    judge: (_fault, { group }, refuse) => {
      const id = group.ReplicationGroupId;
      if (pendingModification(group.PendingModifiedValues))
        refuse('modification-pending', `${id} has a modification pending: wait until it is applied`);
      return {};
    },
  },
  start: { state: 'StartEngineUpgrade', by: 'lambda' },
  recovery: {
    endedBy: 'DescribeReplicationGroups: available, nothing pending',
    recoveredBy: 'change',
  },
  undo: null,
  report: {
    injects: true,
    requested: 'ModifyReplicationGroup (EngineVersion) requested',
    dryRun: ({ target }) =>
      `would upgrade the engine of ${target.replicationGroupId} (ModifyReplicationGroup): nodes replaced, connections closed, while the writers run`,
  },
  asl: { entry: 'StartEngineUpgrade', branch: ['StartEngineUpgrade'], outside: [] },
};
