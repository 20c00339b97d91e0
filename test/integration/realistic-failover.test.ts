/**
 * The realistic failover model of the local ElastiCache, judged by what application clients see through
 * it: the primary stops answering, a replica is promoted after the detection delay, the endpoint's name
 * still points at the old node (now a replica: READONLY) for the DNS TTL, connections to it live on until
 * its recovery closes them. Each phase's length is the injected truth. In cluster mode the slot map moves
 * instead of a name, and the old node, back as a replica, answers MOVED.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { clientFigures } from '../../functions/core/measure/clients/figures.js';
import { resolveClientProfiles } from '../../functions/core/measure/clients/profile.js';
import { verifyClientProfiles } from '../../functions/core/measure/clients/profile-verify.js';
import {
  type ProfileDeps,
  type ProfileRun,
  runClientProfiles,
} from '../../functions/core/measure/clients/run.js';
import { runShardWriters } from '../../functions/core/measure/clients/shards.js';
import { keySlot, type SlotRange } from '../../functions/core/measure/keys.js';
import { createRedisClient } from '../../functions/shared/redis-client.js';
import { ClusterGroup } from '../../local/elasticache/cluster-group.js';
import type { Endpoint } from '../../local/elasticache/group.js';
import { PrimaryReplicaGroup } from '../../local/elasticache/primary-replica-group.js';
import { tracker, until } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
const REALISTIC = { model: 'realistic', graceful: false } as const;
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
        ...REALISTIC,
        ...timing,
      }),
    );
    const endpoint = group.view().nodeGroups[0]!.primaryEndpoint!;
    const url = `redis://${endpoint.host}:${endpoint.port}`;
    const writers = await writing(2, (signal, deps) =>
      runClientProfiles(
        resolveClientProfiles(['ioredis-defaults', 'ioredis-recommended']),
        { runId: 'realistic', prefix: 'failover-drill', cluster: false, rate: 200, ttlSeconds: 600 },
        { endpoint: url, cluster: false },
        signal,
        deps,
      ),
    );
    const events: { message: string; at: number }[] = [];
    const t0 = Date.now();

    // Act
    await group.failover('0001', (_type, _id, message) => events.push({ message, at: Date.now() }));
    await sleep(1000);
    const runs = await writers.stop();
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

  it('cluster mode: the primary stops answering, its replica takes the slots after the detection delay, the old node comes back answering MOVED, then recovers; a writer on every shard', async () => {
    // Prepare
    const timing = { detectionDelayMs: 800, staleConnectionsMs: 1000 };
    const group = track(
      await ClusterGroup.start({
        id: 'realistic-c',
        shards: 2,
        replicas: 1,
        ...REALISTIC,
        ...timing,
      }),
    );
    const view = group.view();
    const [oldPrimary, replica] = view.nodeGroups[0]!.members.map((m) => m.endpoint) as [Endpoint, Endpoint];
    const config = view.configurationEndpoint!;
    const url = `redis://${config.host}:${config.port}`;
    const shards = view.nodeGroups.map((ng) => ({
      nodeGroupId: ng.id,
      slots: [ng.slots!.split('-').map(Number) as SlotRange],
    }));
    const key = 'k:{2}'; // a slot of node group 0001 (0-8191)
    const writers = await writing(2, (signal, deps) =>
      runShardWriters(
        shards,
        { runId: 'realistic-c', prefix: 'failover-drill', rate: 200, ttlSeconds: 600 },
        { endpoint: url, cluster: true },
        signal,
        deps,
      ),
    );
    const events: { message: string; at: number }[] = [];
    const seen = (text: RegExp) => events.find((e) => text.test(e.message));
    const t0 = Date.now();

    // Act: one probe in each phase, on a connection of its own to the old primary's address
    const failover = group.failover('0001', (_type, _id, message) =>
      events.push({ message, at: Date.now() }),
    );
    await sleep(200);
    const outage = await ask(oldPrimary, 'PING');
    await until('the promotion', async () => seen(/^Failover from/) !== undefined);
    const slotMap = (await ask(replica, 'CLUSTER SLOTS', 1000)).reply;
    const stale = await ask(oldPrimary, 'PING');
    await until('the old node back', async () => seen(/^Recovering/) !== undefined);
    await until('the old node answering', async () => (await ask(oldPrimary, 'PING')).reply === '+PONG');
    const backAsReplica = await ask(oldPrimary, `SET ${key} v`);
    await failover;
    // Back at the address it announced before its crash, the proxy's (a port of its own would bypass it)
    await until('the old node listed as a replica at its address', async () =>
      (await ask(replica, 'CLUSTER SLOTS')).reply.includes(`:${oldPrimary.port}\r\n`),
    );
    await sleep(500);
    const runs = await writers.stop();
    const verifications = await verifyClientProfiles(runs, {
      createClient: () => createRedisClient({ endpoint: url, cluster: true }),
    });
    const [target, other] = runs.map((run, i) => clientFigures(run, verifications[i], t0));

    // Assess: the phases (ms from T0)
    const at = (text: RegExp) => seen(text)!.at - t0;
    expect(keySlot(key)).toBeLessThanOrEqual(8191);
    expect(outage).toEqual({ connected: true, reply: '' }); // accepted, never answered: packets dropped
    expect(at(/^Failover from/)).toBeGreaterThanOrEqual(timing.detectionDelayMs);
    expect(slotMap).toContain(`${replica.port}`); // the replica serves the shard's slots now
    expect(stale).toEqual({ connected: true, reply: '' });
    expect(at(/^Recovering/) - at(/^Failover from/)).toBeGreaterThan(timing.staleConnectionsMs - 10); // timer rounding
    expect(backAsReplica.reply).toBe(`-MOVED ${keySlot(key)} ${replica.host}:${replica.port}`);
    expect(at(/^Finished recovery/)).toBeGreaterThan(at(/^Recovering/));
    // The failed-over shard's fail-fast writer failed through the outage, until the promotion at least
    expect(target!.name).toBe('shard-0001');
    expect(target!.writes.failed + target!.writes.indeterminate).toBeGreaterThan(0);
    expect(target!.downtime.startMs!).toBeLessThan(300);
    expect(target!.downtime.endMs!).toBeGreaterThanOrEqual(timing.detectionDelayMs);
    for (const f of [target!, other!]) {
      expect(f.writes.lost).toBe(0);
      expect(f.writes.acknowledged + f.writes.failed + f.writes.indeterminate).toBe(f.writes.attempted);
    }
  });
});

/** Starts `count` writers; resolves once each writes and a baseline of 300 ms has passed. */
async function writing(
  count: number,
  start: (signal: AbortSignal, deps: ProfileDeps) => Promise<ProfileRun[]>,
): Promise<{ stop(): Promise<ProfileRun[]> }> {
  const controller = new AbortController();
  let started = 0;
  const running = start(controller.signal, { onStarted: () => started++ });
  while (started < count) await sleep(10);
  await sleep(300);
  return {
    stop: () => {
      controller.abort();
      return running;
    },
  };
}

/**
 * Sends one inline command on a new TCP connection and returns the first reply line, '' when nothing came
 * within `waitMs` (a stalled connection).
 */
async function ask(
  to: Endpoint,
  command: string,
  waitMs = 300,
): Promise<{ connected: boolean; reply: string }> {
  const socket = connect(to.port, to.host);
  let connected = false;
  let reply = '';
  socket.on('connect', () => {
    connected = true;
    socket.write(`${command}\r\n`);
  });
  socket.on('data', (chunk) => {
    reply += chunk.toString();
  });
  socket.on('error', () => {});
  await sleep(waitMs);
  socket.destroy();
  return { connected, reply: command === 'CLUSTER SLOTS' ? reply : (reply.split('\r\n')[0] ?? '') };
}
