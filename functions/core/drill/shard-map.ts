/**
 * The cluster's shard map in the figure store (issue 26): every node group's id and slots, and the
 * shards the drill watches. Preflight stores it; the plan that travels through the state machine carries
 * only where it is and how many shards it holds, so that no state grows with the shard count. Every step
 * that needs the shards loads the map once per invocation (`withShardMap`) and works from the whole plan.
 */
import * as z from 'zod';
import type { FigureStore } from '../../shared/figure-store.js';
import { type WatchedShards, watchedShardsSchema } from './blast-radius.js';
import { drillTargetSchema } from './guardrails.js';
import type { DrillPlan } from './plan.js';
import { type WriterGroups, writerGroups } from './writer-groups.js';

/** The figure store's name of a run's shard map. */
export const SHARD_MAP_NAME = 'shard-map';

/** The plan's reference: where the map is and how many shards it holds. */
export const shardMapRefSchema = z.object({ stored: z.string(), count: z.number().int().min(0) });
export type ShardMapRef = z.infer<typeof shardMapRefSchema>;

/** What the store holds: every shard, and the watched list as Preflight chose it. */
const storedShardMapSchema = z.object({
  shards: drillTargetSchema.shape.shards.unwrap(),
  watched: watchedShardsSchema,
});

/**
 * The plan as the state carries it: the shards and the watched list stored, the fan-out's groups reduced
 * to their indices (each invocation derives a group's shards from the map). Unchanged without shards.
 */
export async function storeShardMap(plan: DrillPlan, figures: FigureStore): Promise<DrillPlan> {
  const { shards, ...target } = plan.target;
  if (!shards || !plan.watched) return plan;
  const { watched, shardGroups, ...rest } = plan;
  const stored = await figures.put(plan.runId, SHARD_MAP_NAME, { shards, watched });
  return {
    ...rest,
    target,
    shardMap: { stored, count: shards.length },
    ...(shardGroups
      ? {
          shardGroups: {
            perInvocation: shardGroups.perInvocation,
            groups: shardGroups.groups.map(({ group }) => ({ group })),
          },
        }
      : {}),
  };
}

/**
 * The whole plan, its shard map read from the store: the target's shards, the watched list, and the
 * fan-out's groups derived from them as Preflight split them. A plan without a reference is returned as
 * it is (a dry run's, a test's). Throws FigureNotFoundError when the map cannot be read.
 */
export async function withShardMap(plan: DrillPlan, figures: FigureStore | undefined): Promise<DrillPlan> {
  if (!plan.shardMap) return plan;
  if (!figures) throw new Error(`the plan's shard map (${plan.shardMap.stored}) needs a figure store`);
  const map = storedShardMapSchema.parse(await figures.get(plan.shardMap.stored));
  const shardGroups = groupsOf(map.watched, plan.shardGroups?.perInvocation);
  return {
    ...plan,
    target: { ...plan.target, shards: map.shards },
    watched: map.watched,
    ...(shardGroups ? { shardGroups } : {}),
  };
}

/** The groups Preflight made: its group size is at least what writerGroups would choose, so the split is the same. */
function groupsOf(watched: WatchedShards, perInvocation: number | undefined): WriterGroups | undefined {
  return perInvocation === undefined ? undefined : writerGroups(watched.watched, perInvocation);
}

/** A group's shard ids, from the whole plan (`withShardMap`); empty when the plan has no such group. */
export function groupShards(plan: DrillPlan, group: number): string[] {
  return plan.shardGroups?.groups.find((g) => g.group === group)?.shards ?? [];
}
