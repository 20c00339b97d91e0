/**
 * The realistic failover model of the local ElastiCache, judged by what application clients see through
 * it: the primary stops answering, a replica is promoted after the detection delay, the endpoint's name
 * still points at the old node (now a replica: READONLY) for the DNS TTL, connections to it live on until
 * its recovery closes them. Each phase's length is the injected truth.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { clientFigures } from '../../functions/core/measure/clients/figures.js';
import { resolveClientProfiles } from '../../functions/core/measure/clients/profile.js';
import { runClientProfiles } from '../../functions/core/measure/clients/run.js';
import { verifyClientProfiles } from '../../functions/core/measure/clients/verify.js';
import { createRedisClient } from '../../functions/shared/redis-client.js';
import { PrimaryReplicaGroup } from '../../local/elasticache/primary-replica-group.js';
import { tracker } from './measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

describe('the realistic failover model', () => {
  it('shows a READONLY streak as long as the DNS TTL plus the stale connections to a client that never reconnects on READONLY; ioredis-recommended recovers at the TTL', async () => {
    // Prepare
    const timing = { detectionDelayMs: 800, dnsTtlMs: 1500, staleConnectionsMs: 1500 };
    const group = track(
      await PrimaryReplicaGroup.start({
        id: 'realistic',
        replicas: 1,
        replicationLagMs: 0,
        model: 'realistic',
        graceful: false,
        ...timing,
      }),
    );
    const endpoint = group.view().nodeGroups[0]!.primaryEndpoint!;
    const url = `redis://${endpoint.host}:${endpoint.port}`;
    const controller = new AbortController();
    let started = 0;
    const running = runClientProfiles(
      resolveClientProfiles(['ioredis-defaults', 'ioredis-recommended']),
      { runId: 'realistic', prefix: 'failover-drill', cluster: false, rate: 200, ttlSeconds: 600 },
      { endpoint: url, cluster: false },
      controller.signal,
      { onStarted: () => started++ },
    );
    while (started < 2) await sleep(10);
    await sleep(300);
    const events: { message: string; at: number }[] = [];
    const t0 = Date.now();

    // Act
    await group.failover('0001', (_type, _id, message) => events.push({ message, at: Date.now() }));
    await sleep(1000);
    controller.abort();
    const runs = await running;
    const verifications = await verifyClientProfiles(runs, {
      createClient: () => createRedisClient({ endpoint: url }),
    });
    const [defaults, recommended] = runs.map((run, i) => clientFigures(run, verifications[i], t0));

    // Assess: the phases as the group ran them (ms from T0)
    const at = (text: RegExp) => events.find((e) => text.test(e.message))!.at - t0;
    const promoted = at(/^Failover from/);
    const backAsReplica = at(/^Recovering/);
    expect(promoted).toBeGreaterThanOrEqual(timing.detectionDelayMs);
    // The client that never reconnects on READONLY: from the old node's return until its connections close
    const streak = defaults!.errors.READONLY!;
    expect(streak.outcome).toBe('fail');
    expect(streak.firstMs).toBeGreaterThanOrEqual(backAsReplica - 50);
    expect(streak.lastMs - streak.firstMs).toBeGreaterThan(timing.dnsTtlMs + timing.staleConnectionsMs - 400);
    expect(streak.lastMs - streak.firstMs).toBeLessThan(timing.dnsTtlMs + timing.staleConnectionsMs + 600);
    // ioredis-recommended reconnects (and resends) on READONLY: back once the name has moved, a stale
    // connection's lifetime sooner
    expect(recommended!.errors.READONLY).toBeUndefined();
    expect(recommended!.downtime.endMs!).toBeGreaterThan(backAsReplica + timing.dnsTtlMs - 300);
    expect(recommended!.downtime.endMs!).toBeLessThan(
      defaults!.downtime.endMs! - timing.staleConnectionsMs + 500,
    );
    for (const f of [defaults!, recommended!]) {
      expect(f.writes.lost).toBe(0);
      expect(f.writes.acknowledged + f.writes.failed + f.writes.indeterminate).toBe(f.writes.attempted);
    }
  });
});
