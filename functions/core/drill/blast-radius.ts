/**
 * The blast radius a drill watches: every shard (`"all"`), or a sample a team chose for a cheaper drill.
 * A sample always holds the target and its slot neighbours (the shards whose slot ranges touch the
 * target's, where a redirection after a failover lands first); the rest are drawn at random and named in
 * the plan, so that the report says which shards were watched and which were not.
 */
import * as z from 'zod';
import type { SlotRange } from '../measure/keys.js';

/** `"all"` watches every shard; `{ sample: N }` watches N of them (never fewer than the target and its neighbours). */
export const blastRadiusSchema = z
  .union([z.literal('all'), z.strictObject({ sample: z.number().int().min(1).max(500) })])
  .default('all');
export type BlastRadius = z.output<typeof blastRadiusSchema>;

/** The plan's choice: the shards watched, by name, and how many were not. */
export const watchedShardsSchema = z.object({
  chosen: z.union([z.literal('all'), z.object({ sample: z.number() })]),
  watched: z.array(z.string()),
  unwatched: z.number().int(),
});
export type WatchedShards = z.infer<typeof watchedShardsSchema>;

interface ShardSlots {
  nodeGroupId: string;
  slots: SlotRange[];
}

/** Whether two shards' slot ranges touch (one ends where the other begins). */
function touches(a: SlotRange[], b: SlotRange[]): boolean {
  return a.some(([aStart, aEnd]) => b.some(([bStart, bEnd]) => aEnd + 1 === bStart || bEnd + 1 === aStart));
}

/** The target's slot neighbours: the shards whose ranges touch the target's. */
export function slotNeighbours(shards: readonly ShardSlots[], targetId: string): string[] {
  const target = shards.find((shard) => shard.nodeGroupId === targetId);
  if (!target) return [];
  return shards
    .filter((shard) => shard.nodeGroupId !== targetId && touches(target.slots, shard.slots))
    .map((shard) => shard.nodeGroupId);
}

/**
 * The shards a drill watches, in the shards' order. `random` draws the sample beyond the target and its
 * neighbours (a Fisher–Yates shuffle; injected so that tests name the draw).
 */
export function watchedShards(
  shards: readonly ShardSlots[],
  targetId: string,
  chosen: BlastRadius,
  random: () => number = Math.random,
): WatchedShards {
  const all = shards.map((shard) => shard.nodeGroupId);
  if (chosen === 'all') return { chosen, watched: all, unwatched: 0 };
  const always = new Set([targetId, ...slotNeighbours(shards, targetId)].filter((id) => all.includes(id)));
  const rest = all.filter((id) => !always.has(id));
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  const drawn = new Set([...always, ...rest.slice(0, Math.max(0, chosen.sample - always.size))]);
  const watched = all.filter((id) => drawn.has(id));
  return { chosen, watched, unwatched: all.length - watched.length };
}
