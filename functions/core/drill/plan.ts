import * as z from 'zod';
import { drillTargetSchema } from './guardrails.js';
import { drillRequestSchema } from './request.js';

/** What a dry run reports: what the drill would do, judged on the same facts as a real one. */
export const dryRunPreviewSchema = z.object({
  target: z.object({
    replicationGroupId: z.string(),
    nodeGroupId: z.string(),
    primaryNodeId: z.string(),
    replicaNodeIds: z.array(z.string()),
    clusterMode: z.boolean(),
  }),
  fault: z.enum(['test-failover', 'none']),
  /** Node groups TestFailover may still be called for in the rolling 24 h, under the guardrail's budget. */
  failoverBudget: z.object({ used: z.number(), limit: z.number(), left: z.number() }),
  /** The writer's schedule: at least baseline + settle, at most its hard cap. */
  expected: z.object({
    writesPerSecond: z.number(),
    durationSeconds: z.object({ atLeast: z.number(), atMost: z.number() }),
    writes: z.object({ atLeast: z.number(), atMost: z.number() }),
    keyTtlSeconds: z.number(),
  }),
  stopAlarmNames: z.array(z.string()),
});
export type DryRunPreview = z.infer<typeof dryRunPreviewSchema>;

/** The plan every later step works from: plain data that travels through the state machine. */
export const drillPlanSchema = z.object({
  runId: z.string(),
  request: drillRequestSchema,
  target: drillTargetSchema,
  /** Epoch ms at which Preflight accepted the drill. */
  acceptedAt: z.number(),
  /** The lock tag value this run holds on the group (none in a dry run). */
  lock: z.string().optional(),
  /** Present in a dry run only: nothing was touched. */
  dryRun: dryRunPreviewSchema.optional(),
});
export type DrillPlan = z.infer<typeof drillPlanSchema>;
