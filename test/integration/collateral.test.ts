/**
 * The report's collateral against injected truth: a 3-shard cluster whose nodes clients reach through
 * fault proxies, one shard writer per shard, and one shard that is not the failed-over one blackholed for
 * a known time. The collateral names exactly that shard; the clean shard is not in it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyClientProfiles } from '../../functions/core/measure/clients/profile-verify.js';
import { runShardWriters } from '../../functions/core/measure/clients/shards.js';
import type { SlotRange } from '../../functions/core/measure/keys.js';
import { collateralOf, shardViewsOf } from '../../functions/core/report/shard-views.js';
import { createRedisClient } from '../../functions/shared/redis-client.js';
import { RedisCluster } from '../../local/redis/cluster.js';
import { FaultProxy } from '../../local/redis/proxy.js';
import type { RedisServer } from '../../local/redis/server.js';
import { tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

/** The acceptance window of a downtime on this shared machine (as measure-figures.test.ts). */
const LATE_MS = 100;

describe('collateral against a blackholed shard', () => {
  it('names exactly the shard a blackhole of known length touched, not the clean one nor the target', async () => {
    // Prepare: every node announces its proxy's port, so that cluster clients reach it through the proxy
    const proxies = new Map<RedisServer, FaultProxy>();
    const cluster = track(
      await RedisCluster.start({
        name: 'collateral',
        shards: 3,
        replicas: 0,
        announce: async (node) => {
          const proxy = track(await FaultProxy.start({ target: node.endpoint }));
          proxies.set(node, proxy);
          return proxy.port;
        },
      }),
    );
    const shards = cluster.shards.map((shard, i) => ({
      nodeGroupId: `000${i + 1}`,
      slots: [shard.slots as SlotRange],
    }));
    const entry = proxies.get(cluster.shards[0]!.nodes[0]!)!;
    const url = `redis://${entry.host}:${entry.port}`;
    const controller = new AbortController();
    let started = 0;
    const running = runShardWriters(
      shards,
      { runId: 'collateral', prefix: 'failover-drill', rate: 200, ttlSeconds: 600 },
      { endpoint: url, cluster: true },
      controller.signal,
      { onStarted: () => started++ },
    );
    while (started < shards.length) await sleep(10);
    await sleep(300);
    // Act: node group 0003 (not the target, 0001) is cut off for outageMs; 0002 is left alone
    const outageMs = 600;
    const blackholed = proxies.get(cluster.shards[2]!.nodes[0]!)!;
    const t0 = Date.now();
    blackholed.blackhole();
    // When the blackhole held, after t0: the call's own time, plus Date.now()'s whole-millisecond tick.
    const heldByMs = Date.now() - t0 + 1;
    await sleep(outageMs);
    blackholed.heal();
    await sleep(1000);
    controller.abort();
    const runs = await running;
    const verifications = await verifyClientProfiles(runs, {
      createClient: () => createRedisClient({ endpoint: url, cluster: true }),
    });
    const views = shardViewsOf({ runs, verifications, failedOver: '0001' }, t0, null);

    // Assess
    const [target, clean, touched] = views;
    console.log(
      views.map((v) => `${v.nodeGroupId}: ${JSON.stringify(v.writes)} ${v.downtime.ms} ms`).join('\n'),
    );
    // The blackholed shard is collateral and the target never is. A loaded machine (stress-ng beside the
    // suite) can time out a clean shard's writes too, which the rule rightly calls collateral; the rule
    // itself is pinned exactly in functions/core/report/shard-views.test.ts.
    const collateral = collateralOf(views);
    expect(collateral).toContain('0003');
    expect(collateral).not.toContain('0001');
    expect(target).toMatchObject({ nodeGroupId: '0001', target: true });
    expect(clean!.writes.lost).toBe(0);
    const nonOk = (v: (typeof views)[number]) => v.writes.failed + v.writes.indeterminate;
    expect(nonOk(clean!)).toBeLessThan(nonOk(touched!));
    expect(collateral.includes('0002')).toBe(nonOk(clean!) > 0);
    // The touched shard's failed-write window starts at the blackhole and covers it (then a reconnect).
    expect(touched!.writes.failed + touched!.writes.indeterminate).toBeGreaterThan(0);
    expect(touched!.writes.lost).toBe(0);
    expect(touched!.downtime.startMs!).toBeGreaterThanOrEqual(-LATE_MS);
    expect(touched!.downtime.startMs!).toBeLessThanOrEqual(heldByMs);
    expect(touched!.downtime.endMs!).toBeGreaterThanOrEqual(outageMs);
  });
});
