/**
 * A client profile's latency percentiles and time to first success against injected truth: every request
 * waits in a delay line of known size, and an outage of known length starts at the moment the figures
 * count from (T0).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveClientProfiles } from '../../functions/core/measure/clients/profile.js';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { tracker } from '../support/measure-kit.js';
import { drive } from '../support/profile-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

/** The acceptance window of a late reply on this shared machine (as measure-figures.test.ts). */
const LATE_MS = 100;
/** The profile reconnects this long after its connection is reset (a constant retry strategy). */
const RECONNECT_MS = 10;

describe('client profile figures against a delay line and an outage of known length', () => {
  it('times the first success from T0 as the outage plus the delay, and the percentiles as the delay', async () => {
    // Prepare: a profile that fails fast, so that only the writes outside the outage are acknowledged
    const delayMs = 40;
    const outageMs = 800;
    const server = track(await RedisServer.start({ name: 'cfl-server' }));
    const proxy = track(await FaultProxy.start({ target: server.endpoint }));
    proxy.delay(delayMs, 'toServer');
    const [profile] = resolveClientProfiles([
      {
        name: 'fail-fast',
        library: 'ioredis',
        // No ready check: the reconnect sends nothing through the delay line before the first write.
        options: {
          enableOfflineQueue: false,
          enableReadyCheck: false,
          maxRetriesPerRequest: 0,
          commandTimeout: 300,
          retryStrategy: { kind: 'constant', delayMs: RECONNECT_MS },
        },
      },
    ]);
    let t0 = 0;
    // The profile reads its replies on this process's event loop: a stall of it delays them that much.
    const stalls = monitorEventLoopDelay({ resolution: 5 });
    stalls.enable();
    // Act: T0 is the blackhole's start; the heal resets the stalled connection
    const [figures] = await drive(
      [profile!],
      proxy,
      server,
      async () => {
        await sleep(700);
        t0 = Date.now();
        proxy.blackhole();
        await sleep(outageMs);
        proxy.heal();
      },
      { reference: () => t0 },
    );
    // Assess
    stalls.disable();
    const stall = stalls.max / 1e6;
    const f = figures!;
    console.log(
      `${outageMs} ms outage behind ${delayMs} ms: first success ${f.timeToFirstSuccessMs} ms, latency ${JSON.stringify(f.latency)}, stall ${stall.toFixed(1)} ms`,
    );
    expect(f.reference).toBe('T0');
    expect(f.writes.failed + f.writes.indeterminate).toBeGreaterThan(0);
    // No write is acknowledged before the heal and a pass through the delay line; then a reconnect at most.
    expect(f.timeToFirstSuccessMs!).toBeGreaterThanOrEqual(outageMs + delayMs);
    expect(f.timeToFirstSuccessMs!).toBeLessThanOrEqual(outageMs + delayMs + RECONNECT_MS + LATE_MS + stall);
    expect(f.downtime.endMs).toBe(f.timeToFirstSuccessMs);
    expect(f.downtime.startMs!).toBeLessThanOrEqual(0);
    // Every acknowledged write waited in the delay line once; none waited through the outage.
    expect(f.latency.count).toBe(f.writes.acknowledged);
    expect(f.latency.p50!).toBeGreaterThanOrEqual(delayMs);
    expect(f.latency.p50!).toBeLessThanOrEqual(delayMs + LATE_MS / 2);
    expect(f.latency.p99!).toBeGreaterThanOrEqual(f.latency.p50!);
    expect(f.latency.p99!).toBeLessThanOrEqual(delayMs + LATE_MS + stall);
  });
});
