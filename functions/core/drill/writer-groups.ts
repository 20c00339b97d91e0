/**
 * The fan-out of the blast-radius writers (issue 26). One invocation holds a bounded number of shard
 * writers; the probe's Write invocation runs the first group, and the rest run in the state machine's
 * ShardWriterGroups Map, one Write invocation in the "shard-writers" role per group. The plan names the
 * groups (shard ids: small references, never figures).
 */
import * as z from 'zod';

/**
 * Shard writers one invocation sustains: at 16 every writer reached its asked 100 writes/s (100.0 %) with
 * the event loop's delay p99 under 10 ms; at 32 the rate held (99.3 %) but the p99 doubled, and at 64
 * both broke (93.6 %, p99 335 ms). Measured on the shared 2-core machine at a load average of ~30, a
 * Lambda's fraction of a vCPU's kind of starvation (`npm run bench -- fanout`, bench/HISTORY.md
 * 2026-12-07; BENCHMARKS.md row "shard writers one invocation sustains"). Half the breaking point: a
 * shard writer's timeline is a lane of the blast radius, and a late lane is a wrong one.
 */
export const SHARD_WRITERS_PER_INVOCATION = 16;

/**
 * The Map's MaxConcurrency (statemachines/failover-drill.asl.json, ShardWriterGroups). Every group must
 * write at once, so the groups never outnumber it: beyond it, each group holds more writers.
 * 40 is an inline Map's documented parallel limit; 500 shards need ⌈500 / 41⌉ = 13 writers a group.
 */
export const MAX_WRITER_GROUPS = 40;

/**
 * The plan's split: group 0 is the probe's own invocation, groups 1… the Map's items. The state carries
 * the group indices only (shard-map.ts); the shard ids are derived from the stored map in each invocation.
 */
export const writerGroupsSchema = z.object({
  perInvocation: z.number().int().min(1),
  /** The probe's invocation's shards (absent in the state: derived from the stored map). */
  probe: z.array(z.string()).optional(),
  /** The Map's items: each one Write invocation in the shard-writers role. */
  groups: z.array(z.object({ group: z.number().int().min(1), shards: z.array(z.string()).optional() })),
});

/** The split with every group's shards, as `writerGroups` makes it. */
export interface WriterGroups {
  perInvocation: number;
  probe: string[];
  groups: { group: number; shards: string[] }[];
}

/**
 * The watched shards split into groups of `perInvocation` (never more than MAX_WRITER_GROUPS beside
 * the probe's); undefined when the probe's invocation holds them all (no Map iteration runs).
 */
export function writerGroups(
  watched: readonly string[],
  perInvocation: number = SHARD_WRITERS_PER_INVOCATION,
): WriterGroups | undefined {
  const size = Math.max(1, Math.floor(perInvocation), Math.ceil(watched.length / (MAX_WRITER_GROUPS + 1)));
  if (watched.length <= size) return undefined;
  const groups: WriterGroups['groups'] = [];
  for (let start = size; start < watched.length; start += size)
    groups.push({ group: groups.length + 1, shards: watched.slice(start, start + size) });
  return { perInvocation: size, probe: watched.slice(0, size), groups };
}

/** The figure store's name of one group's shard writers' records (group 0: the probe's invocation). */
export function groupRecordsName(group: number): string {
  return `shard-writers.group-${group}`;
}

/** A setting for tests and small machines: SHARD_WRITERS_PER_INVOCATION in the Preflight's environment. */
export function perInvocationFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env.SHARD_WRITERS_PER_INVOCATION);
  return Number.isInteger(value) && value >= 1 ? value : undefined;
}
