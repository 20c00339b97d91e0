/**
 * Client profiles against real redis-server processes and the fault proxy: each library, configured as an
 * application would configure it, through an injected fault of known shape; every figure is checked
 * against what the test injected or read from the server directly.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveClientProfiles } from '../../functions/core/measure/clients/profile.js';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import { tracker } from '../support/measure-kit.js';
import { drive } from '../support/profile-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

const FAIL_FAST = {
  name: 'fail-fast',
  library: 'ioredis',
  options: {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 200,
    autoResendUnfulfilledCommands: false,
  },
};

describe('client profiles against injected truth', () => {
  it('ioredis with its offline queue waits through an outage (latency ≈ the outage); a fail-fast profile fails through it', async () => {
    // Prepare
    const outageMs = 1500;
    // Act: nothing passes for outageMs; then the stalled connections are reset, as TCP would
    const [queued, failFast] = await throughBlackhole('cp-outage', ['ioredis-defaults', FAIL_FAST], outageMs);
    // Assess
    expect(queued!.writes, JSON.stringify(queued!.writes)).toMatchObject({ failed: 0, lost: 0 });
    // A write the server applied just before the blackhole, whose reply it swallowed, is resent after the
    // reset: at most the writes then in flight (a few at 200/s) are applied twice — and never lost.
    expect(queued!.writes.duplicated).toBeLessThanOrEqual(5);
    expect(queued!.writes.indeterminate).toBeLessThanOrEqual(queued!.writes.attempted * 0.02);
    expect(queued!.latency.max).toBeGreaterThan(outageMs * 0.8);
    expect(queued!.latency.max).toBeLessThan(outageMs + 1000);
    expect(queued!.downtime.ms).toBeGreaterThan(outageMs * 0.9);
    // The fail-fast profile: every write in the outage is non-ok, none waits longer than its timeout.
    const nonOk = failFast!.writes.failed + failFast!.writes.indeterminate;
    expect(nonOk).toBeGreaterThan((outageMs / 1000) * 200 * 0.8);
    expect(failFast!.latency.max).toBeLessThan(300);
    expect(failFast!.writes).toMatchObject({ lost: 0, duplicated: 0 });
    // A write already past the proxy when the blackhole began is applied and its reply swallowed: it fails
    // here (timeout) and is found present, recovered — at most the few in flight then (a CI run had one).
    expect(failFast!.writes.recovered).toBeLessThanOrEqual(5);
    // Its lane: the failures fill the outage's buckets (100 ms each), one stretch of them.
    const t = failFast!.timeline;
    const nonOkBuckets = t.ok.flatMap((_, i) => ((t.fail[i] ?? 0) + (t.info[i] ?? 0) > 0 ? [i] : []));
    expect(nonOkBuckets.length).toBeGreaterThanOrEqual((outageMs / t.bucketMs) * 0.8);
    expect(nonOkBuckets.at(-1)! - nonOkBuckets[0]!).toBeLessThanOrEqual(outageMs / t.bucketMs + 5);
    expect(t.ok.slice(nonOkBuckets[0]! + 2, nonOkBuckets.at(-1)! - 1).every((n) => n === 0)).toBe(true);
  });

  it('a retrying client whose write was applied but whose reply was lost is counted duplicated, never lost', async () => {
    // Prepare
    const server = track(await RedisServer.start({ name: 'cp-dup' }));
    const proxy = track(await FaultProxy.start({ target: server.endpoint }));
    const profiles = resolveClientProfiles(['ioredis-defaults']);
    let applied = 0;
    // Act: requests reach the server, replies wait in a delay line that the connection reset drops
    const [figures] = await drive(profiles, proxy, server, async () => {
      proxy.delay(5000, 'toClient');
      const before = Number((await server.info('stats')).total_commands_processed);
      await sleep(300);
      const after = Number((await server.info('stats')).total_commands_processed);
      applied = after - before;
      proxy.delay(0, 'toClient');
      proxy.cut();
    });
    // Assess: each write the server applied while its reply was lost was resent after the reconnect
    expect(figures!.writes.lost).toBe(0);
    expect(figures!.writes.duplicated).toBeGreaterThan(0.5 * 0.3 * 200);
    expect(figures!.writes.duplicated).toBeLessThanOrEqual(applied + 2);
    expect(figures!.duplicatedRanges.length).toBeGreaterThan(0);
  });

  it('node-redis: a write in flight when the connection drops is rejected (indeterminate) and found absent', async () => {
    // Act
    const [figures] = await throughBlackhole('cp-node-redis', ['node-redis-defaults'], 1000);
    // Assess: nothing passed the blackhole, so the writes it swallowed are indeterminate and absent…
    expect(figures!.writes.lost).toBe(0);
    expect(figures!.writes.indeterminate).toBeGreaterThan(0.8 * 200);
    // …but for the writes in flight when it began: applied, their replies swallowed (recovered).
    expect(figures!.writes.recovered).toBeLessThanOrEqual(5);
  });

  it('valkey-glide: writes time out through an outage and are found absent; none is lost', async () => {
    // Act
    const [figures] = await throughBlackhole('cp-glide', ['glide-defaults'], 1000);
    // Assess
    expect(figures!.writes.lost).toBe(0);
    expect(figures!.errors.TIMEOUT?.count).toBeGreaterThan(0);
    // Writes in flight when the blackhole began may have been applied, their replies swallowed (recovered).
    expect(figures!.writes.recovered).toBeLessThanOrEqual(5);
  });
});

/** The profiles through a blackhole of `ms` on the path to one server. */
async function throughBlackhole(name: string, entries: unknown[], ms: number) {
  const server = track(await RedisServer.start({ name }));
  const proxy = track(await FaultProxy.start({ target: server.endpoint }));
  return drive(resolveClientProfiles(entries), proxy, server, async () => {
    proxy.blackhole();
    await sleep(ms);
    proxy.heal();
  });
}
