/**
 * One group of the shard writers' fan-out (issue 26) against a real 3-shard cluster: it starts at the
 * plan's moment, stops on the probe's stopped marker, stores its records with its clock, and refuses to
 * write once Cleanup's halt marker is set. The truths are injected: when the marker is set, and one
 * machine's clock on both sides of the TIME reading.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillPlan } from '../../functions/core/drill/plan.js';
import { storeShardMap } from '../../functions/core/drill/shard-map.js';
import { type GroupRecords, shardWritersStep } from '../../functions/core/drill/shard-writers-step.js';
import { haltMarkerKey, probeStoppedKey, requestHalt } from '../../functions/core/measure/halt-marker.js';
import type { SlotRange } from '../../functions/core/measure/keys.js';
import { directoryFigureStore } from '../../functions/shared/figure-store.js';
import { createRedisClient, waitUntilReady } from '../../functions/shared/redis-client.js';
import { RedisCluster } from '../../local/redis/cluster.js';
import { planFixture } from '../support/plan-fixture.js';

const quiet = { info: () => {}, warn: () => {} };
let cluster: RedisCluster;
let dir: string;

beforeAll(async () => {
  cluster = await RedisCluster.start({ name: 'shard-writer-group', shards: 3, replicas: 0 });
  dir = await mkdtemp(join(tmpdir(), 'shard-writer-group-'));
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A cluster-mode plan on the local cluster, accepted now, its writers split 1 + 2. */
function planOn(runId: string): DrillPlan {
  const node = cluster.shards[0]!.nodes[0]!;
  const shards = cluster.shards.map((shard, i) => ({
    nodeGroupId: `000${i + 1}`,
    slots: [shard.slots as SlotRange],
  }));
  const fixture = planFixture({ writer: { baselineSeconds: 2 } }, { runId, acceptedAt: Date.now() });
  return {
    ...fixture,
    target: { ...fixture.target, clusterMode: true, endpoint: { host: node.host, port: node.port }, shards },
    shardGroups: { perInvocation: 1, probe: ['0001'], groups: [{ group: 1, shards: ['0002', '0003'] }] },
  };
}

describe('a group of the shard writers', () => {
  it('writes from the plan moment until the probe stops, and stores its records with its clock', async () => {
    // Prepare
    const plan = planOn('group-stops');
    const figures = directoryFigureStore(dir);
    const client = createRedisClient({ endpoint: cluster.shards[0]!.nodes[0]!.url, cluster: true });
    await waitUntilReady(client, 5000);
    const startAt = plan.acceptedAt + 500;

    // Act: the probe "stops" once both shards hold the group's writes (its worker's start is the machine's).
    const running = shardWritersStep(plan, plan.shardGroups!.groups[0]!, {
      remainingMs: () => 60_000,
      log: quiet,
      figures,
    });
    const written = () =>
      Promise.all(cluster.shards.slice(1).map((shard) => shard.nodes[0]!.call('DBSIZE') as Promise<number>));
    while ((await written()).some((keys) => keys < 10) && Date.now() - plan.acceptedAt < 20_000)
      await sleep(100);
    const stoppedAt = Date.now();
    await requestHalt(client, probeStoppedKey(plan.request.writer.keyPrefix, plan.runId));
    const result = await running;
    const returnedAt = Date.now();
    await client.quit();

    // Assess
    expect(result).toMatchObject({ group: 1, count: 2 });
    const stored = (await figures.get(result.stored)) as GroupRecords;
    expect(stored.records.map((r) => r.name)).toEqual(['shard-0002', 'shard-0003']);
    for (const run of stored.records) {
      expect(run.error, run.name).toBeUndefined();
      // Not before the plan's moment; writing until the marker, at 100 writes a second.
      expect(run.startedAtEpochMs, run.name).toBeGreaterThanOrEqual(startAt);
      expect(run.acknowledged, run.name).toBeGreaterThan(0);
    }
    // It saw the marker within a poll and drained: never left writing past it.
    expect(returnedAt - stoppedAt).toBeLessThan(5000);
    // One machine: the server's clock and this one are one clock, so the offset is 0 within its bound.
    expect(stored.clock).not.toBeNull();
    expect(Math.abs(stored.clock!.offsetMs)).toBeLessThanOrEqual(stored.clock!.withinMs);
  }, 30_000);

  it('refuses by name to write once Cleanup has set the halt marker, its plan as the state carries it', async () => {
    // Prepare: the shard map in the store, the item the group's index only (as the Map passes them).
    const figures = directoryFigureStore(dir);
    const whole = planOn('group-halted');
    const plan = await storeShardMap(
      { ...whole, watched: { chosen: 'all', watched: ['0001', '0002', '0003'], unwatched: 0 } },
      figures,
    );
    const client = createRedisClient({ endpoint: cluster.shards[0]!.nodes[0]!.url, cluster: true });
    await waitUntilReady(client, 5000);
    await requestHalt(client, haltMarkerKey(plan.request.writer.keyPrefix, plan.runId));
    await client.quit();

    // Act
    const step = shardWritersStep(plan, { group: 1 }, { remainingMs: () => 60_000, log: quiet, figures });

    // Assess
    await expect(step).rejects.toMatchObject({ name: 'DrillStoppedError' });
  }, 30_000);
});
