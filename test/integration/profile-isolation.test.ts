/**
 * Client profiles never share the probe's timing: with the four profiles and the shard writers
 * beside it (cluster mode, 3 shards, real libraries against a real Redis Cluster), the probe's latency and
 * its event loop stay as they are without them. The machine is shared with other busy processes, so the
 * runs alternate (alone, with the profiles, alone, …) and each run with the profiles is judged against
 * the runs alone on either side of it, under the same load.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RedisCluster } from '../../local/redis/cluster.js';
import { FOUR_PROFILES, type ProbeTiming, probeBeside } from '../support/probe-beside.js';
import { tracker } from './measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

const DURATION_MS = 2000;

describe('client profiles off the probe’s event loop', () => {
  it('keep the probe’s p99 within 2× (+2 ms) of the probe alone, and its event loop’s stalls under 20 ms', async () => {
    // Prepare
    const cluster = track(await RedisCluster.start({ shards: 3, replicas: 0, name: 'isolation' }));
    const alone: ProbeTiming[] = [];
    const beside: ProbeTiming[] = [];

    // Act: alone, beside, alone, beside, alone
    for (let round = 0; round < 5; round++) {
      const isolated = round % 2 === 1;
      const timing = await probeBeside(
        cluster,
        isolated ? FOUR_PROFILES : [],
        isolated ? 'isolated' : 'none',
        `iso-${round}`,
        DURATION_MS,
      );
      (isolated ? beside : alone).push(timing);
    }
    // The way before (the profiles on the probe's loop): the stall meter must see it.
    const shared = await probeBeside(cluster, FOUR_PROFILES, 'shared', 'iso-shared', DURATION_MS);

    // Assess: every profile and shard writer wrote; the probe kept its timing
    for (const [i, timing] of beside.entries()) {
      const figures = JSON.stringify({ alone: [alone[i], alone[i + 1]], beside: timing }, (key, value) =>
        key === 'runs' ? undefined : value,
      );
      expect(timing.runs.map((run) => run.name).sort(), figures).toEqual(
        [...FOUR_PROFILES, 'shard-0001', 'shard-0002', 'shard-0003'].sort(),
      );
      for (const run of timing.runs) {
        expect(run.error, run.name).toBeUndefined();
        expect(run.acknowledged, run.name).toBeGreaterThan(0);
      }
      // The busier of the two runs alone around it: the other processes' load changes over seconds.
      const neighbour = Math.max(alone[i]!.latency.p99, alone[i + 1]!.latency.p99);
      expect(timing.latency.p99, figures).toBeLessThanOrEqual(2 * neighbour + 2);
      expect(timing.loopStall.max, figures).toBeLessThan(20);
    }
    expect(shared.loopStall.max).toBeGreaterThan(20);
  });
});
