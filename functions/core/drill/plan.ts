import * as z from 'zod';
import { durabilitySettingSchema } from '../measure/durability.js';
import { watchedShardsSchema } from './blast-radius.js';
import { drillCostSchema } from './cost.js';
import { fisTargetSchema } from './faults/fis-az-power.js';
import { globalPlanSchema } from './faults/global-failover.js';
import { FAULT_SOURCE_NAMES } from './faults/index.js';
import { drillTargetSchema } from './guardrails.js';
import { drillRequestSchema } from './request.js';
import { shardMapRefSchema } from './shard-map.js';
import { writerGroupsSchema } from './writer-groups.js';

/** What a dry run reports: what the drill would do, judged on the same facts as a real one. */
export const dryRunPreviewSchema = z.object({
  target: z.object({
    replicationGroupId: z.string(),
    nodeGroupId: z.string(),
    primaryNodeId: z.string(),
    replicaNodeIds: z.array(z.string()),
    clusterMode: z.boolean(),
  }),
  fault: z.enum(FAULT_SOURCE_NAMES),
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
  /** Cluster mode: the shards that would be watched, by name, and how many not. */
  blastRadius: watchedShardsSchema.optional(),
  /** What the drill would cost on AWS at list price for that blast radius. */
  cost: drillCostSchema,
  /** fis-az-power: the zone that would lose power, its nodes, and for how long (FIS's `duration`). */
  fis: fisTargetSchema.extend({ duration: z.string() }).optional(),
  /** global-failover: the Global Datastore, the region it would leave and the one it would promote. */
  global: z
    .object({ globalReplicationGroupId: z.string(), from: z.string(), to: z.string(), failBack: z.boolean() })
    .optional(),
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
  /** Cluster mode: the shards watched (a writer each), by name, and how many were not. */
  watched: watchedShardsSchema.optional(),
  /** Cluster mode, more watched shards than one invocation holds: the shard writers' groups (issue 26). */
  shardGroups: writerGroupsSchema.optional(),
  /**
   * Cluster mode: where the shard map (every shard's id and slots, the watched list) is stored, and how
   * many shards it holds; `target.shards` and `watched` then travel in the store, not the state (issue 26).
   */
  shardMap: shardMapRefSchema.optional(),
  /** The group's `Durability` and `EffectiveDurability` as Preflight read them (absent: not reported). */
  durability: durabilitySettingSchema.optional(),
  /**
   * fis-az-power: the zone and its nodes, and how often the state machine reads the experiment (Wait takes
   * whole seconds); `template` is set by the state machine once the experiment template exists.
   */
  fis: fisTargetSchema
    .extend({ pollSeconds: z.number().int().min(1), template: z.object({ id: z.string() }).optional() })
    .optional(),
  /** global-failover: the Global Datastore and both members' regions and primary endpoints. */
  global: globalPlanSchema.optional(),
});
export type DrillPlan = z.infer<typeof drillPlanSchema>;
