/**
 * A node replacement (a scale or an engine upgrade) on the local cloud's real redis-server processes: new
 * nodes sync, the primary fails over to its replacement, the old nodes stop. Clients lose their
 * connections at the switch, and what they saw is measured against its known moment: a fail-fast client
 * fails only once the switch has begun, and on past the endpoint's move; ioredis' defaults meet READONLY
 * for the writes the handover held, and lose nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFigures } from '../../functions/core/measure/clients/figures.js';
import { resolveClientProfiles } from '../../functions/core/measure/clients/profile.js';
import { verifyClientProfiles } from '../../functions/core/measure/clients/profile-verify.js';
import { runClientProfiles } from '../../functions/core/measure/clients/run.js';
import { createRedisClient } from '../../functions/shared/redis-client.js';
import { PrimaryReplicaGroup } from '../../local/elasticache/primary-replica-group.js';

let group: PrimaryReplicaGroup;

beforeAll(async () => {
  group = await PrimaryReplicaGroup.start({
    id: 'nr',
    replicas: 1,
    replicationLagMs: 0,
    detectionDelayMs: 0,
    graceful: false,
  });
}, 60_000);

afterAll(async () => {
  await group?.stop();
});

describe('PrimaryReplicaGroup.replaceNodes', () => {
  it('replaces every node, drops the connections at the switch, and loses nothing', async () => {
    // Prepare
    const { host, port } = group.view().nodeGroups[0]!.primaryEndpoint!;
    const endpoint = `redis://${host}:${port}`;
    const oldNodes = group.view().nodeGroups[0]!.members.map((m) => m.endpoint.port);
    const profiles = resolveClientProfiles([
      'ioredis-defaults',
      {
        name: 'fail-fast',
        library: 'ioredis',
        options: { enableOfflineQueue: false, maxRetriesPerRequest: 0 },
      },
    ]);
    const bystander = new Redis(endpoint, { retryStrategy: () => null });
    let closedAt: number | null = null;
    bystander.on('error', () => {});
    bystander.on('close', () => (closedAt ??= Date.now()));
    await bystander.ping();
    const controller = new AbortController();
    let started = 0;
    const running = runClientProfiles(
      profiles,
      {
        runId: `nr${Date.now().toString(36)}`,
        prefix: 'failover-drill',
        cluster: false,
        rate: 200,
        ttlSeconds: 600,
      },
      { endpoint, cluster: false },
      controller.signal,
      { onStarted: () => started++ },
    );
    while (started < profiles.length) await sleep(10);
    await sleep(300);
    const truth = { switching: 0, switched: 0, progress: [] as number[] };

    // Act
    await group.replaceNodes(
      {
        cacheNodeType: 'cache.r7g.large',
        progress: (done, total) => truth.progress.push(Math.round((100 * done) / total)),
        switching: (at) => (truth.switching = at),
        switched: (at) => (truth.switched = at),
      },
      () => {},
    );
    await sleep(500);
    controller.abort();
    const runs = await running;
    const verifications = await verifyClientProfiles(runs, {
      createClient: () => createRedisClient({ endpoint }),
    });
    const [defaults, failFast] = runs.map((run, i) => clientFigures(run, verifications[i], null));
    const failFastRun = runs[1]!;
    bystander.disconnect();

    // Assess
    const view = group.view();
    expect(view.cacheNodeType).toBe('cache.r7g.large');
    expect(view.nodeGroups[0]!.members.map((m) => m.id)).toEqual(['nr-001', 'nr-002']);
    expect(
      view.nodeGroups[0]!.members.map((m) => m.endpoint.port).filter((p) => oldNodes.includes(p)),
    ).toEqual([]);
    expect(truth.progress).toEqual([33, 67, 100]);
    // The connection open before was dropped at the switch, not before.
    expect(closedAt).not.toBeNull();
    expect(closedAt!).toBeGreaterThanOrEqual(truth.switched);
    // Against the known moment: nothing failed before the switch began, and failures ran on past it.
    const toProfileMs = (epochMs: number) => epochMs - failFastRun.startedAtEpochMs;
    expect(failFast!.writes.failed + failFast!.writes.indeterminate).toBeGreaterThan(0);
    expect(failFastRun.firstNonOkMs!).toBeGreaterThanOrEqual(toProfileMs(truth.switching));
    expect(failFastRun.lastNonOkMs!).toBeGreaterThanOrEqual(toProfileMs(truth.switched));
    expect(failFast!.writes.lost).toBe(0);
    // ioredis' defaults: the writes FAILOVER held are answered READONLY once the old primary is a replica
    // (what redisson #3897 reports of a service update); refused, never applied, and nothing lost.
    expect(Object.keys(defaults!.errors).filter((kind) => kind !== 'READONLY')).toEqual([]);
    expect(defaults!.writes.acknowledged + defaults!.writes.failed).toBe(defaults!.writes.attempted);
    expect(runs[0]!.firstNonOkMs ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(
      truth.switching - runs[0]!.startedAtEpochMs,
    );
    expect(defaults!.writes.failedButPresent).toBe(0);
    expect(defaults!.writes.lost).toBe(0);
  }, 120_000);
});
