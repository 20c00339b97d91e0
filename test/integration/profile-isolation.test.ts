/**
 * Client profiles never share the probe's timing: with the four profiles and the shard writers
 * beside it (cluster mode, 3 shards, real libraries against a real Redis Cluster), the probe's event loop
 * is never held by them — its stalls (lateness capped by the thread's own CPU time) stay under 20 ms,
 * where the same profiles on the probe's loop stall it past 20 ms. The probe's p99 latency beside them
 * against the probe alone is a benchmark (`npm run bench -- isolation`, BENCHMARKS.md), not asserted
 * here: in the suite, other test files share the two cores, and the latency then measures CPU share,
 * not the event loop. Also the worker's handshake, its records and its clock.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { isolatedProfiles, rebasedClock } from '../../functions/core/measure/clients/isolated.js';
import { resolveClientProfiles } from '../../functions/core/measure/clients/profile.js';
import { RedisCluster } from '../../local/redis/cluster.js';
import { RedisServer } from '../../local/redis/server.js';
import { tracker } from '../support/measure-kit.js';
import { FOUR_PROFILES, type ProbeTiming, probeBeside } from '../support/probe-beside.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

const DURATION_MS = 2000;

describe('client profiles off the probe’s event loop', () => {
  it('never stall the probe’s event loop past 20 ms, where on its loop they do', async () => {
    // Prepare
    const cluster = track(await RedisCluster.start({ shards: 3, replicas: 0, name: 'isolation' }));
    const alone: ProbeTiming[] = [];
    const beside: ProbeTiming[] = [];

    // Act: alone, beside, alone (the runs alone show what the load alone does to the probe)
    for (let round = 0; round < 3; round++) {
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
      expect(timing.loopStall.max, figures).toBeLessThan(20);
    }
    expect(shared.loopStall.max).toBeGreaterThan(20);
  });
});

describe('the profiles’ worker', () => {
  const settings = { runId: 'worker', prefix: 'failover-drill', cluster: false, ttlSeconds: 60 };

  it('runs the profiles from the probe’s start to its stop and posts their records back, on the probe’s clock', async () => {
    // Prepare
    const server = track(await RedisServer.start({ name: 'isolation-worker' }));
    const profiles = resolveClientProfiles(['ioredis-defaults', 'node-redis-defaults']);
    const isolated = isolatedProfiles(
      { profiles: { profiles, settings } },
      { endpoint: server.url, cluster: false },
    );

    // Act
    const ready = await isolated.ready();
    const startedAt = Date.now();
    isolated.start();
    await sleep(500);
    isolated.stop();
    const stoppedAt = Date.now();
    const runs = await isolated.done();

    // Assess: a worker thread of its own, its libraries loaded before the start; records in the profiles' order
    expect(ready).toMatchObject({ threadId: expect.any(Number), loadMs: expect.any(Number) });
    expect(ready!.threadId).toBeGreaterThan(0);
    expect(runs.map((run) => run.name)).toEqual(['ioredis-defaults', 'node-redis-defaults']);
    for (const run of runs) {
      expect(run.error, run.name).toBeUndefined();
      expect(run.acknowledged, run.name).toBeGreaterThan(0);
      // Its start is on the host's wall clock: between the host's start and stop.
      expect(run.startedAtEpochMs, run.name).toBeGreaterThanOrEqual(startedAt);
      expect(run.startedAtEpochMs + run.durationMs, run.name).toBeLessThanOrEqual(stoppedAt + 2100);
    }
    expect(await isolated.shards()).toEqual([]);
  });

  it('gives no records when the probe never started, and a ready past its deadline does not wait', async () => {
    // Prepare
    const profiles = resolveClientProfiles(['ioredis-defaults']);
    const isolated = isolatedProfiles(
      { profiles: { profiles, settings } },
      { endpoint: 'redis://127.0.0.1:1', cluster: false },
    );

    // Act
    const ready = await isolated.ready(Date.now() - 1);
    isolated.stop();

    // Assess
    expect(ready).toBeUndefined();
    expect(await isolated.done()).toEqual([]);
  });

  it('rebases a worker’s performance.now() onto the host’s time origin', () => {
    // Act: a host whose origin was 5 ms before this thread's
    const { clock, offsetMs } = rebasedClock(performance.timeOrigin - 5);

    // Assess
    expect(offsetMs).toBeCloseTo(5, 6);
    expect(clock.now() - performance.now()).toBeCloseTo(5, 0);
  });
});
