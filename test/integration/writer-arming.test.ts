/**
 * A drill's writer arms from the drill's clock, not from its own start: a slow start (a cold Lambda) still
 * arms before the fault, and a start once the fault may be under way refuses by name, writing nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downtimeOf } from '../../functions/core/measure/timings.js';
import { runWriter } from '../../functions/core/measure/writer.js';
import { WriterStartedLateError } from '../../functions/shared/errors.js';
import { createRedisClient } from '../../functions/shared/redis-client.js';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterAll(stopAll);

let server: RedisServer;
beforeAll(async () => {
  server = track(await RedisServer.start({ name: 'writer-arming' }));
});

describe("a drill's writer and the fault's clock", () => {
  it("started late, arms at the drill's moment: an outage inside its own baseline is the disruption", async () => {
    // Prepare: the drill's arming moment has passed already; the writer's own baseline would cover the outage
    const proxy = track(await FaultProxy.start({ target: server.endpoint }));
    const endpoint = `redis://${proxy.host}:${proxy.port}`;
    const createClient = () => createRedisClient({ endpoint });
    const settings = { runId: 'late-armed', endpoint, rate: 500, settleMs: 300, ttlSeconds: 60 };

    // Act
    const run = runWriter(
      { ...settings, baselineMs: 2000, maxDurationMs: 10_000, armAtEpochMs: Date.now() - 1 },
      { createClient },
    );
    await sleep(600);
    proxy.blackhole();
    await sleep(300);
    proxy.heal();
    const summary = await run;

    // Assess
    expect(summary.stopReason).toBe('settled');
    expect(summary.disruption?.firstNonOkMs).toBeLessThan(2000);
    const downtime = downtimeOf(summary);
    expect(downtime.bounds!.maxMs!).toBeGreaterThanOrEqual(300);
  });

  it('started after the fault may be under way: WriterStartedLateError, nothing written', async () => {
    // Prepare
    const createClient = () => createRedisClient({ endpoint: server.url });
    const before = Number(await server.call('DBSIZE'));

    // Act
    const run = runWriter(
      {
        runId: 'too-late',
        endpoint: server.url,
        rate: 500,
        maxDurationMs: 5_000,
        startByEpochMs: Date.now() - 1,
      },
      { createClient },
    );

    // Assess
    await expect(run).rejects.toBeInstanceOf(WriterStartedLateError);
    await expect(run).rejects.toThrow(/after the fault could have been injected/);
    expect(Number(await server.call('DBSIZE'))).toBe(before);
  });
});
