/**
 * `fault: "test-failover"` (the default): ElastiCache's TestFailover on the plan's node group. The TriggerFailover
 * Lambda starts it (`triggerFailover`, ../trigger.ts); the recovery is read from ElastiCache's events; nothing is
 * left to undo. The call itself stays out of this module: every function imports the registry, and
 * test/template.test.ts grants each function exactly the AWS calls its code makes.
 */
import * as z from 'zod';
import type { FaultSource } from './index.js';

export const testFailoverSchema = z.literal('test-failover');

export const testFailover: FaultSource<'test-failover', 'test-failover'> = {
  name: 'test-failover',
  summary: "ElastiCache's TestFailover on the node group",
  schema: testFailoverSchema,
  checkRequest: () => undefined,
  guardrails: {
    needsAutomaticFailover: true,
    // TestFailover allows 15 node groups per rolling 24 h per account and region.
    spendsTestFailoverBudget: true,
    judge: () => ({}),
  },
  start: { state: 'TriggerFailover', by: 'lambda' },
  recovery: { endedBy: 'the promotion ElastiCache reports', recoveredBy: 'events' },
  // A failover is not undone: the reaper's Cleanup and lock are every source's.
  undo: null,
  report: {
    injects: true,
    requested: 'TestFailover requested',
    dryRun: ({ target, failoverBudget: budget }) =>
      `would call TestFailover on node group ${target.nodeGroupId}${target.primaryNodeId ? ` (primary ${target.primaryNodeId})` : ''}, ${budget.left} of ${budget.limit} left in 24 h`,
  },
  asl: { entry: 'TriggerFailover', branch: ['TriggerFailover'], outside: [] },
};
