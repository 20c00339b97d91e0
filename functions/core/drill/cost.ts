/**
 * What a drill costs on AWS at list price, for the blast radius it watches: its state transitions, its
 * Lambda GB-seconds and the sum in USD. The prices and the drill's measured shape live here once; the
 * dry run, the report and bench/drill.bench.ts all read them from here.
 */
import * as z from 'zod';
import { WRITER_DEFAULTS } from '../measure/defaults.js';
import type { WatchedShards } from './blast-radius.js';
import type { DrillRequest } from './request.js';
import { SHARD_WRITERS_PER_INVOCATION, writerGroups } from './writer-groups.js';

/** us-east-1 list prices: Step Functions Standard; Lambda arm64 (the AWS pricing pages). */
export const LIST_PRICES = {
  perTransition: 0.025 / 1000,
  perGbSecond: 0.0000133334,
  perRequest: 0.2 / 1_000_000,
} as const;

/**
 * The drill's shape, measured (BENCHMARKS.md, `npm run bench -- drill`): 20 transitions with one AwaitRecovery
 * window, and about 8 invocations (one a Task state), 2 transitions and 1 invocation per further window; the template's memory.
 * The shard writers' fan-out branch (issue 26) adds 2 transitions to every drill (its Choice, then its Pass or
 * Map), and 1 transition and one Write invocation per group beyond the probe's.
 */
export const DRILL_SHAPE = {
  transitions: 22,
  perWriterGroup: { transitions: 1, invocations: 1 },
  invocations: 8,
  perPollWindow: { transitions: 2, invocations: 1 },
  memoryGb: { write: 1, verify: 1, awaitRecovery: 0.25 },
  /** A typical AWS test failover: the writer writes ~90 s through it, ~5 min to `Finished recovery`. */
  typicalFailoverWriteSeconds: 90,
  typicalRecoverySeconds: 300,
  /** Verify reads back this many keys a second (BENCHMARKS.md: the loaded machine's figure, the lower one). */
  verifyKeysPerSecond: 118_153,
  /** Each shard writer's writes a second (DEFAULT_PROFILE_RATE). */
  shardWriterRate: 100,
} as const;

export const drillCostSchema = z.object({
  shardsWatched: z.number(),
  transitions: z.number(),
  lambdaGbSeconds: z.number(),
  usd: z.number(),
  /** What the figures assume, in words. */
  basis: z.string(),
});
export type DrillCost = z.infer<typeof drillCostSchema>;

export interface CostInput {
  /** Shards with a writer (0: cluster mode disabled, or one shard). */
  shardsWatched: number;
  writesPerSecond: number;
  baselineSeconds: number;
  settleSeconds: number;
  pollWindowSeconds: number;
  /** Default: a typical AWS test failover's. */
  recoverySeconds?: number;
  /** Write invocations beside the probe's, each a group of shard writers (default: none). */
  writerGroups?: number;
}

/**
 * The drill's cost: one Write invocation (the probe and every watched shard's writer), AwaitRecovery's
 * windows, and Verify's read-back of every key written (the part that grows with the shards watched).
 */
export function drillCost(input: CostInput): DrillCost {
  const shape = DRILL_SHAPE;
  const recoverySeconds = input.recoverySeconds ?? shape.typicalRecoverySeconds;
  const windows = Math.max(1, Math.ceil(recoverySeconds / input.pollWindowSeconds));
  const writerSeconds = input.baselineSeconds + shape.typicalFailoverWriteSeconds + input.settleSeconds;
  const keys = (input.writesPerSecond + input.shardsWatched * shape.shardWriterRate) * writerSeconds;
  const groups = input.writerGroups ?? 0;
  const transitions =
    shape.transitions +
    (windows - 1) * shape.perPollWindow.transitions +
    groups * shape.perWriterGroup.transitions;
  const invocations =
    shape.invocations +
    (windows - 1) * shape.perPollWindow.invocations +
    groups * shape.perWriterGroup.invocations;
  // Each group's invocation lives as long as the probe's.
  const lambdaGbSeconds =
    shape.memoryGb.write * writerSeconds * (1 + groups) +
    shape.memoryGb.awaitRecovery * recoverySeconds +
    shape.memoryGb.verify * (keys / shape.verifyKeysPerSecond);
  const usd =
    transitions * LIST_PRICES.perTransition +
    lambdaGbSeconds * LIST_PRICES.perGbSecond +
    invocations * LIST_PRICES.perRequest;
  return {
    shardsWatched: input.shardsWatched,
    transitions,
    lambdaGbSeconds: Math.round(lambdaGbSeconds * 10) / 10,
    usd: Math.round(usd * 1e6) / 1e6,
    basis:
      `us-east-1 list prices; a writer of ${writerSeconds} s, ${recoverySeconds} s to recovery in ` +
      `${windows} poll windows; ` +
      (groups > 0
        ? `the shard writers in ${groups + 1} Write invocations (${SHARD_WRITERS_PER_INVOCATION} each)`
        : "every watched shard's writer in the one Write invocation"),
  };
}

/** The drill's cost at list price for the shards it watches (one shard alone has no shard writer). */
export function costOf(
  request: Pick<DrillRequest, 'writer' | 'recovery'>,
  watched: WatchedShards | undefined,
): DrillCost {
  const count = watched?.watched.length ?? 0;
  return drillCost({
    shardsWatched: count > 1 ? count : 0,
    writesPerSecond: request.writer.rate ?? WRITER_DEFAULTS.rate,
    baselineSeconds: request.writer.baselineSeconds,
    settleSeconds: request.writer.settleSeconds,
    pollWindowSeconds: request.recovery.pollWindowSeconds,
    writerGroups: watched ? (writerGroups(watched.watched)?.groups.length ?? 0) : 0,
  });
}
