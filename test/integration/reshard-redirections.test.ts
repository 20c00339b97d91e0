/**
 * What clients meet while slots move: a reshard 2 → 3 on real redis-server processes under two ioredis
 * profiles and node-redis' defaults. ioredis' and node-redis' defaults follow MOVED and ASK themselves, so
 * the application sees none and loses nothing, yet the profile still counts what the library followed. A
 * profile that may follow none (maxRedirections 0) surfaces every one: the watched count must equal what
 * reached the application. GLIDE's followed ones cannot be watched, and its figure says so.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFigures } from '../../functions/core/measure/clients/figures.js';
import { GLIDE_REDIRECTIONS } from '../../functions/core/measure/clients/glide.js';
import { resolveClientProfiles } from '../../functions/core/measure/clients/profile.js';
import { verifyClientProfiles } from '../../functions/core/measure/clients/profile-verify.js';
import { runClientProfiles } from '../../functions/core/measure/clients/run.js';
import { createRedisClient } from '../../functions/shared/redis-client.js';
import { ClusterGroup } from '../../local/elasticache/cluster-group.js';

let group: ClusterGroup;

beforeAll(async () => {
  group = await ClusterGroup.start({
    id: 'rr',
    shards: 2,
    replicas: 0,
    detectionDelayMs: 0,
    graceful: false,
  });
}, 60_000);

afterAll(async () => {
  await group?.stop();
});

describe('redirections during a reshard', () => {
  it('counts the MOVED and ASK ioredis and node-redis follow themselves, and exactly those surfaced', async () => {
    // Prepare
    const { host, port } = group.view().configurationEndpoint!;
    const endpoint = `redis://${host}:${port}`;
    const profiles = resolveClientProfiles([
      'ioredis-defaults',
      { name: 'no-follow', library: 'ioredis', options: { maxRedirections: 0 } },
      'node-redis-defaults',
      'glide-defaults',
    ]);
    const controller = new AbortController();
    let started = 0;
    // Slots 5461–8191 move from the first shard to the second when a third joins: the profiles' keys
    // are pinned to one slot among them, so their slot certainly moves while they write.
    const running = runClientProfiles(
      profiles,
      {
        runId: `rr${Date.now().toString(36)}`,
        prefix: 'failover-drill',
        cluster: true,
        pin: [[6000, 8000]],
        rate: 200,
        ttlSeconds: 600,
      },
      { endpoint, cluster: true },
      controller.signal,
      { onStarted: () => started++ },
    );
    while (started < profiles.length) await sleep(10);
    await sleep(300);

    // Act
    await group.reshard({ nodeGroupCount: 3, remove: [], progress: () => {} }, () => {});
    await sleep(500);
    controller.abort();
    const runs = await running;
    const verifications = await verifyClientProfiles(runs, {
      createClient: () => createRedisClient({ endpoint, cluster: true }),
    });
    const [defaults, noFollow, nodeRedis, glide] = runs.map((run, i) =>
      clientFigures(run, verifications[i], null),
    );

    // Assess
    expect(group.view().nodeGroups.map((ng) => ng.slots)).toEqual(['0-5460', '5461-10921', '10922-16383']);
    const met = (f: typeof defaults) =>
      (f!.redirections.byKind.MOVED?.count ?? 0) + (f!.redirections.byKind.ASK?.count ?? 0);
    // ioredis' defaults: redirections met and followed, none surfaced, nothing lost.
    expect(defaults!.redirections.countedFrom).toBe('library');
    expect(met(defaults)).toBeGreaterThan(0);
    expect(defaults!.errors.MOVED).toBeUndefined();
    expect(defaults!.errors.ASK).toBeUndefined();
    expect(defaults!.writes.lost).toBe(0);
    expect(defaults!.writes.acknowledged).toBe(defaults!.writes.attempted);
    // Following none, every MOVED and ASK it met reached the application: the two counts agree.
    expect(met(noFollow)).toBeGreaterThan(0);
    expect(noFollow!.redirections.byKind.MOVED?.count ?? 0).toBe(noFollow!.errors.MOVED?.count ?? 0);
    expect(noFollow!.redirections.byKind.ASK?.count ?? 0).toBe(noFollow!.errors.ASK?.count ?? 0);
    expect(noFollow!.writes.lost).toBe(0);
    // node-redis' defaults: followed ones heard on its diagnostics channel, none surfaced, nothing lost.
    expect(nodeRedis!.redirections.countedFrom).toBe('library');
    expect(met(nodeRedis)).toBeGreaterThan(0);
    expect(nodeRedis!.errors.MOVED).toBeUndefined();
    expect(nodeRedis!.errors.ASK).toBeUndefined();
    expect(nodeRedis!.writes.lost).toBe(0);
    // GLIDE follows them in its native core, unwatched: the figure says so instead of a silent zero.
    expect(glide!.redirections).toMatchObject({ countedFrom: 'surfaced', followed: GLIDE_REDIRECTIONS });
    expect(glide!.writes.lost).toBe(0);
  }, 120_000);
});
