import { z } from 'zod';
import { drillTargetSchema } from './guardrails.js';
import { drillRequestSchema } from './request.js';

/** The plan every later step works from: plain data that travels through the state machine. */
export const drillPlanSchema = z.object({
  runId: z.string(),
  request: drillRequestSchema,
  target: drillTargetSchema,
  /** Epoch ms at which Preflight accepted the drill. */
  acceptedAt: z.number(),
  /** The lock tag value this run holds on the group. */
  lock: z.string(),
});
export type DrillPlan = z.infer<typeof drillPlanSchema>;
