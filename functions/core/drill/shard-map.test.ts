// The shard map's round trip through the figure store: the state's plan is one size, the whole plan comes back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterPlanFixture, planFixture } from '../../../test/support/plan-fixture.js';
import { FigureNotFoundError } from '../../shared/errors.js';
import { directoryFigureStore } from '../../shared/figure-store.js';
import { groupShards, storeShardMap, withShardMap } from './shard-map.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function figureStore() {
  const dir = await mkdtemp(join(tmpdir(), 'shard-map-'));
  dirs.push(dir);
  return directoryFigureStore(dir);
}

describe('storeShardMap and withShardMap', () => {
  it('gives back the whole plan, each group deriving its shards from the stored map', async () => {
    // Prepare
    const figures = await figureStore();
    const plan = clusterPlanFixture(12);

    // Act
    const state = await storeShardMap(plan, figures);
    const whole = await withShardMap(JSON.parse(JSON.stringify(state)), figures);

    // Assess: the state names the map and the groups by index; the probe's target travels inline.
    expect(state.target.shards).toBeUndefined();
    expect(state.watched).toBeUndefined();
    expect(state.shardMap?.count).toBe(12);
    expect(state.shardGroups?.groups).toEqual([{ group: 1 }, { group: 2 }]);
    expect(state.target.slots).toEqual(plan.target.slots);
    expect(whole).toEqual({ ...plan, shardMap: state.shardMap });
    expect(groupShards(whole, 2)).toEqual(['0009', '0010', '0011', '0012']);
  });

  it('keeps the state plan the same size at 12 shards as at 500', async () => {
    // Prepare
    const figures = await figureStore();

    // Act
    const sizeAt = async (count: number) => {
      const state = await storeShardMap(clusterPlanFixture(count), figures);
      // Beside the group indices (at most MAX_WRITER_GROUPS), only numbers' digits differ: the count, the target's slots.
      const { shardGroups: _, shardMap, target, ...rest } = state;
      return JSON.stringify({
        ...rest,
        target: { ...target, slots: [] },
        shardMap: { ...shardMap, count: 0 },
      }).length;
    };

    // Assess
    expect(await sizeAt(500)).toBe(await sizeAt(12));
  });

  it('leaves a plan without shards as it is, and names a map that cannot be read', async () => {
    // Prepare
    const figures = await figureStore();
    const plain = planFixture();
    const lost = {
      ...clusterPlanFixture(3),
      shardMap: { stored: '/nowhere/run-1/figures/shard-map.json', count: 3 },
    };

    // Act
    const stored = await storeShardMap(plain, figures);
    const unread = withShardMap(lost, figures);

    // Assess
    expect(stored).toBe(plain);
    expect(await withShardMap(plain, undefined)).toBe(plain);
    await expect(unread).rejects.toBeInstanceOf(FigureNotFoundError);
  });
});
