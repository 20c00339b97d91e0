/**
 * A drill on a database that is not the drill's: a million of an application's keys and keys that look
 * like the run's beside it. Verify and Cleanup read and delete exactly the run's keys — every foreign key
 * intact, DBSIZE back to what it was, and the server never ran SCAN or KEYS — on every path: the measure
 * engine, the Cleanup Lambda with the writer's summary, and without it (the writer abandoned).
 */
import { describe, expect, it } from 'vitest';
import { handler as cleanupHandler } from '../../functions/cleanup/handler.js';
import type { DrillPlan } from '../../functions/core/drill/plan.js';
import { parseDrillRequest } from '../../functions/core/drill/request.js';
import { haltMarkerKey } from '../../functions/core/measure/halt-marker.js';
import { keyBaseFor, keyFor, keySlot } from '../../functions/core/measure/keys.js';
import type { WriterSummary } from '../../functions/core/measure/summary.js';
import { handler as writeHandler } from '../../functions/write/handler.js';
import { lambdaContext } from '../../local/lambda/context.js';
import { RedisCluster } from '../../local/redis/cluster.js';
import { FaultProxy } from '../../local/redis/proxy.js';
import { RedisServer } from '../../local/redis/server.js';
import {
  commandCalls,
  DEBUG_CONFIG,
  foreignChanges,
  lookAlikeKeys,
  plantForeign,
} from '../support/foreign-keys.js';
import { measure, testTracker, until } from '../support/measure-kit.js';

const POPULATE = 1_000_000;

/** No command that iterates a keyspace ran since the stats were reset. */
async function iterations(server: RedisServer): Promise<Record<string, number>> {
  return { scan: await commandCalls(server, 'scan'), keys: await commandCalls(server, 'keys') };
}

// Each case has servers of its own and mostly waits (on the server's populate, on the writer's timers): the
// cases run concurrently, each stopping what it started when it finishes.
describe.concurrent('the measure engine beside a million foreign keys', () => {
  it('measures an outage, then leaves every foreign key as it was, without iterating the database', async ({
    onTestFinished,
  }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const server = track(await RedisServer.start({ name: 'safe', config: DEBUG_CONFIG }));
    const runId = 'safe-run';
    const foreign = await plantForeign(server, {
      populate: POPULATE,
      lookAlikes: lookAlikeKeys('failover-drill', runId),
    });
    const proxy = track(await FaultProxy.start({ target: server.endpoint }));
    await server.call('CONFIG', 'RESETSTAT');
    // Act
    const { report, verification, deleted } = await measure(
      { endpoint: `redis://${proxy.host}:${proxy.port}` },
      { runId, settleMs: 300, maxDurationMs: 20_000 },
      async () => {
        proxy.blackhole();
        await new Promise((resolve) => setTimeout(resolve, 300));
        proxy.heal();
      },
    );
    // Assess
    expect(report.disruption.observed).toBe(true);
    expect(report.writes).toMatchObject({ lost: 0, unexpected: 0, failedButPresent: 0 });
    expect(verification.unexpectedSearch).toBe('probe');
    expect(deleted).toBe(report.writes.acknowledged + report.writes.recovered);
    expect(await foreignChanges(server, foreign)).toEqual([]);
    expect(await iterations(server)).toEqual({ scan: 0, keys: 0 });
  });
});

function planFor(server: RedisServer, runId: string): DrillPlan {
  return {
    runId,
    request: parseDrillRequest({
      replicationGroupId: 'grp',
      writer: { rate: 500, baselineSeconds: 1, settleSeconds: 1, maxDurationSeconds: 60 },
    }),
    target: {
      replicationGroupId: 'grp',
      arn: 'arn:aws:elasticache:us-east-1:000000000000:replicationgroup:grp',
      nodeGroupId: '0001',
      clusterMode: false,
      endpoint: server.endpoint,
      tls: false,
      primaryNodeId: 'grp-001',
      replicaNodeIds: ['grp-002'],
      slots: [],
    },
    acceptedAt: Date.now(),
    lock: `${runId}@1`,
  };
}

describe.concurrent('the Cleanup Lambda beside a million foreign keys', () => {
  it("with the writer's summary: deletes exactly its keys, and its halt marker, never another run's", async ({
    onTestFinished,
  }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const server = track(await RedisServer.start({ name: 'safe-cleanup', config: DEBUG_CONFIG }));
    const runId = 'with-summary';
    const foreign = await plantForeign(server, {
      populate: POPULATE,
      lookAlikes: lookAlikeKeys('failover-drill', runId),
    });
    // Accepted now, as Preflight would just before the writer starts (not before the million keys were planted).
    const plan = planFor(server, runId);
    const writing = writeHandler({ plan }, lambdaContext('WriteFunction', 900_000)) as Promise<WriterSummary>;
    await until(
      'writes to flow',
      async () => (await server.call('EXISTS', `failover-drill:${runId}:200`)) === 1,
    );
    await server.call('SET', haltMarkerKey('failover-drill', runId), '1', 'EX', 60); // the writer stops on it
    const summary = await writing;
    await server.call('CONFIG', 'RESETSTAT');
    // Act
    const cleaned = (await cleanupHandler(
      { execution: runId, plan, results: [{ ...summary }, {}] },
      lambdaContext('CleanupFunction', 300_000),
    )) as { deleted: number; stopMarkerDeleted: boolean };
    // Assess
    expect(summary.stopReason).toBe('aborted');
    expect(cleaned.deleted).toBeGreaterThanOrEqual(summary.acknowledged);
    expect(cleaned.stopMarkerDeleted).toBe(true);
    expect(await server.call('EXISTS', keyFor(summary.keyBase, 0))).toBe(0);
    expect(await foreignChanges(server, foreign)).toEqual([]);
    expect(await iterations(server)).toEqual({ scan: 0, keys: 0 });
  });

  it('without it (the writer abandoned): stops the writer, deletes up to the bound, keeps the marker', async ({
    onTestFinished,
  }) => {
    // Prepare
    const track = testTracker(onTestFinished);
    const server = track(await RedisServer.start({ name: 'safe-abandoned', config: DEBUG_CONFIG }));
    const runId = 'abandoned';
    const foreign = await plantForeign(server, {
      populate: POPULATE,
      lookAlikes: lookAlikeKeys('failover-drill', runId),
    });
    // Accepted now, as Preflight would just before the writer starts (not before the million keys were planted).
    const plan = planFor(server, runId);
    const writing = writeHandler({ plan }, lambdaContext('WriteFunction', 900_000)) as Promise<WriterSummary>;
    await until(
      'writes to flow',
      async () => (await server.call('EXISTS', `failover-drill:${runId}:200`)) === 1,
    );
    await server.call('CONFIG', 'RESETSTAT');
    // Act: the failure path — the Parallel state failed, so Cleanup gets the plan but no results
    const cleaned = (await cleanupHandler(
      { execution: runId, plan },
      lambdaContext('CleanupFunction', 300_000),
    )) as { deleted: number; keysNamed: number };
    const summary = await writing;
    // A writer of the run that starts only now (its invocation was on its way) finds the marker
    const late = await writeHandler({ plan }, lambdaContext('WriteFunction', 900_000)).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(summary.stopReason).toBe('aborted');
    expect(cleaned.deleted).toBeGreaterThanOrEqual(summary.acknowledged);
    expect(cleaned.deleted).toBeLessThanOrEqual(summary.acknowledged + summary.indeterminate);
    expect(cleaned.keysNamed).toBeGreaterThan(summary.attempted);
    expect(late).toMatchObject({ name: 'DrillStoppedError' });
    expect(await server.call('EXISTS', haltMarkerKey('failover-drill', runId))).toBe(1);
    await server.call('DEL', haltMarkerKey('failover-drill', runId));
    expect(await foreignChanges(server, foreign)).toEqual([]);
    expect(await iterations(server)).toEqual({ scan: 0, keys: 0 });
  });
});

describe.concurrent('cluster mode: foreign keys in the run slot itself', () => {
  it("lists the run's slot, finds the foreign keys there foreign, and deletes only the run's", async ({
    onTestFinished,
  }) => {
    // Prepare: the target shard's primary also holds 200,000 populated keys (some hash to the run's
    // slot) and keys carrying the run's own hash tag
    const track = testTracker(onTestFinished);
    const cluster = track(
      await RedisCluster.start({ shards: 3, replicas: 0, name: 'safe', config: DEBUG_CONFIG }),
    );
    const shard = cluster.shards[1]!;
    const owner = shard.nodes[0]!;
    const runId = 'slot-run';
    const { keyBase, slot } = keyBaseFor('failover-drill', runId, [shard.slots]);
    const tag = /\{([^}]*)\}/.exec(keyBase)![1]!;
    const [first, last] = shard.slots;
    const lookAlikes = lookAlikeKeys('failover-drill', runId, tag).filter((key) => {
      const s = keySlot(key);
      return s >= first && s <= last; // what this shard serves
    });
    for (let n = 0; n < 50; n++) lookAlikes.push(`app:{${tag}}:user:${n}`);
    lookAlikes.push(`${keyBase}:007`, `${keyBase}:x`, keyBase); // under the run's key base, not its names
    const foreign = await plantForeign(owner, { populate: 200_000, lookAlikes, sample: false });
    const inSlot = Number(await owner.call('CLUSTER', 'COUNTKEYSINSLOT', slot!));
    await owner.call('CONFIG', 'RESETSTAT');
    // Act
    const { report, verification, deleted } = await measure(
      { endpoint: cluster.shards[0]!.nodes[0]!.url, cluster: true },
      { runId, rate: 2000, maxWrites: 3000, maxDurationMs: 20_000, pin: [shard.slots] },
      async () => {},
    );
    // Assess
    expect(inSlot).toBeGreaterThanOrEqual(50);
    expect(verification).toMatchObject({
      unexpectedSearch: 'slot',
      slotKeys: { foreign: inSlot - 2 },
    });
    expect(report.writes).toMatchObject({ lost: 0, failedButPresent: 0 });
    // `<keyBase>:007` and `<keyBase>:x` are under the run's key base: found, reported, left alone
    expect(verification.unexpectedDetail.samples.sort()).toEqual([`${keyBase}:007`, `${keyBase}:x`].sort());
    expect(deleted).toBe(report.writes.acknowledged + report.writes.recovered);
    expect(await foreignChanges(owner, foreign)).toEqual([]);
    expect(await iterations(owner)).toEqual({ scan: 0, keys: 0 });
  });

  it("does not list a slot the application crowds with the run's hash tag: the probe decides, exact names are deleted", async ({
    onTestFinished,
  }) => {
    // Prepare: 30,000 application keys under the run's own hash tag, far beyond what the run writes plus
    // SLOT_LISTING_FOREIGN_MAX, so listing the slot would cost what the application holds there
    const track = testTracker(onTestFinished);
    const cluster = track(await RedisCluster.start({ shards: 3, replicas: 0, name: 'crowded' }));
    const shard = cluster.shards[1]!;
    const owner = shard.nodes[0]!;
    const runId = 'crowded-run';
    const { keyBase, slot } = keyBaseFor('failover-drill', runId, [shard.slots]);
    const tag = /\{([^}]*)\}/.exec(keyBase)![1]!;
    const crowd = 30_000;
    for (let from = 0; from < crowd; from += 1000) {
      const pairs = Array.from({ length: 1000 }, (_, i) => [`app:{${tag}}:row:${from + i}`, 'v']).flat();
      await owner.call('MSET', ...pairs);
    }
    await owner.call('CONFIG', 'RESETSTAT');
    // Act
    const { report, verification, deleted } = await measure(
      { endpoint: cluster.shards[0]!.nodes[0]!.url, cluster: true },
      { runId, rate: 2000, maxWrites: 3000, maxDurationMs: 20_000, pin: [shard.slots] },
      async () => {},
    );
    // Assess
    expect(verification).toMatchObject({ unexpectedSearch: 'probe', slotKeys: null });
    expect(report.writes).toMatchObject({ lost: 0, failedButPresent: 0, unexpected: 0 });
    expect(deleted).toBe(report.writes.acknowledged + report.writes.recovered);
    expect(Number(await owner.call('CLUSTER', 'COUNTKEYSINSLOT', slot!))).toBe(crowd);
    expect(await commandCalls(owner, 'cluster|getkeysinslot')).toBe(0);
    expect(await iterations(owner)).toEqual({ scan: 0, keys: 0 });
  });
});
