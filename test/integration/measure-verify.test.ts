/**
 * The verifier's search for keys nobody wrote, against real servers, without iterating the database: a key
 * count decides only when it proves there are none; the probe above the last attempted write finds a
 * second writer's keys; in cluster mode the run's slot is listed, so every stray under the key base is
 * found whatever its name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFor, keySlot, payloadFor } from '../../functions/core/measure/keys.js';
import type { WriterSummary } from '../../functions/core/measure/summary.js';
import { verify } from '../../functions/core/measure/verify.js';
import { runWriter } from '../../functions/core/measure/writer.js';
import { createRedisClient, type RedisClientOptions } from '../../functions/shared/redis-client.js';
import { RedisCluster } from '../../local/redis/cluster.js';
import { RedisServer } from '../../local/redis/server.js';
import { tracker } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterAll(stopAll);

const WRITES = 2000;

/**
 * A finished run of WRITES writes. Paced: a cluster client connects to a node on its first command, and
 * the writes refused meanwhile (NOT_CONNECTED) are only absent keys here.
 */
async function written(client: RedisClientOptions, runId: string, pin?: [number, number][]) {
  const createClient = () => createRedisClient(client);
  const summary = await runWriter(
    {
      runId,
      endpoint: client.endpoint,
      cluster: client.cluster ?? false,
      rate: 4000,
      maxWrites: WRITES,
      ...(pin ? { pin } : {}),
    },
    { createClient },
  );
  expect(summary.acknowledged, JSON.stringify(summary.errors)).toBeGreaterThan(WRITES * 0.9);
  return { summary, check: () => verify(summary, { createClient }) };
}

/** Sets each key (a stray, a foreign key or an overwrite) directly on `server`; a null value deletes it. */
async function plant(server: RedisServer, keys: Record<string, string | null>): Promise<() => Promise<void>> {
  for (const [key, value] of Object.entries(keys)) {
    if (value === null) await server.call('DEL', key);
    else await server.call('SET', key, value);
  }
  return async () => {
    await server.call('DEL', ...Object.keys(keys));
  };
}

const payload = (summary: WriterSummary, seq: number) => payloadFor(summary.runId, summary.writerId, seq);

describe('the search for unexpected keys, standalone', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = track(await RedisServer.start({ name: 'verify-standalone' }));
  });

  it('rules strays out by the key count when the database holds exactly the keys read back', async () => {
    // Prepare
    const { check } = await written({ endpoint: server.url }, 'clean');
    // Act
    const verification = await check();
    // Assess
    expect(verification).toMatchObject({
      unexpectedSearch: 'count',
      unexpected: 0,
      lost: 0,
      present: WRITES,
    });
    await server.call('FLUSHALL');
  });

  it('finds a stray above the attempts and a foreign payload; a name that is no sequence only in cluster mode', async () => {
    // Prepare
    const { summary, check } = await written({ endpoint: server.url }, 'strays');
    await plant(server, {
      [keyFor(summary.keyBase, WRITES + 5)]: payload(summary, WRITES + 5),
      [`${summary.keyBase}:x`]: 'x',
      [keyFor(summary.keyBase, 10)]: payload(summary, 11),
    });
    // Act
    const verification = await check();
    // Assess: standalone, `<keyBase>:x` is beyond a search that names keys (README: what it covers)
    expect(verification).toMatchObject({
      unexpectedSearch: 'probe',
      unexpected: 2,
      unexpectedDetail: { neverAttempted: 1, payloadMismatch: 1 },
      lost: 1,
      probed: { fromSeq: WRITES, toSeq: WRITES + 2 * 20_000, found: 1 },
    });
    expect(verification.unexpectedDetail.samples.sort()).toEqual(
      [keyFor(summary.keyBase, 10), keyFor(summary.keyBase, WRITES + 5)].sort(),
    );
    await server.call('FLUSHALL');
  });

  it('is not fooled by a stray that makes up, in the count, for lost writes', async () => {
    // Prepare: 3 writes gone and 3 strays: the database still holds WRITES keys
    const { summary, check } = await written({ endpoint: server.url }, 'balanced');
    const strays = [WRITES, WRITES + 1, WRITES + 2].map((seq) => keyFor(summary.keyBase, seq));
    await plant(server, {
      ...Object.fromEntries([7, 8, 9].map((seq) => [keyFor(summary.keyBase, seq), null])),
      ...Object.fromEntries(strays.map((key) => [key, 'stray'])),
    });
    expect(Number(await server.call('DBSIZE'))).toBe(WRITES);
    // Act
    const verification = await check();
    // Assess
    // the probe finds the strays, and with them the count accounts for every key of the database
    expect(verification).toMatchObject({ unexpectedSearch: 'count', unexpected: 3, lost: 3 });
    expect(verification.lostRanges).toEqual([[7, 9]]);
    await server.call('FLUSHALL');
  });

  it('probes when foreign keys share the database, and finds nothing unexpected among them', async () => {
    // Prepare
    const { summary, check } = await written({ endpoint: server.url }, 'shared');
    await plant(server, { 'app:1': 'a', [`${summary.keyBase}x:1`]: 'b', 'failover-drill:other:1': 'c' });
    // Act
    const verification = await check();
    // Assess
    expect(verification).toMatchObject({
      unexpectedSearch: 'probe',
      unexpected: 0,
      lost: 0,
      present: WRITES,
    });
    await server.call('FLUSHALL');
  });
});

describe('the search for unexpected keys, cluster mode', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = track(await RedisCluster.start({ shards: 3, replicas: 0, name: 'verify' }));
  });
  const target = () => {
    const shard = cluster.shards[2]!;
    return { owner: shard.nodes[0]!, pin: [shard.slots], endpoint: cluster.shards[0]!.nodes[0]!.url };
  };

  it("counts the run's one slot: foreign keys on the node elsewhere do not force a scan", async () => {
    // Prepare
    const { owner, pin, endpoint } = target();
    const { summary, check } = await written({ endpoint, cluster: true }, 'slot-clean', pin);
    const [first, last] = pin[0]!;
    const elsewhere = Array.from({ length: 1000 }, (_, n) => `app:{${n}}`).find((key) => {
      const slot = keySlot(key);
      return slot >= first && slot <= last && slot !== summary.slot;
    })!; // another slot of the same node
    const unplant = await plant(owner, { [elsewhere]: 'a' });
    // Act
    const verification = await check();
    // Assess
    expect(verification).toMatchObject({
      unexpectedSearch: 'count',
      unexpected: 0,
      present: summary.acknowledged,
    });
    await unplant();
  });

  it('lists the slot past a foreign key that shares it: strays found by probe and by name, none counted twice', async () => {
    // Prepare
    const { owner, pin, endpoint } = target();
    const { summary, check } = await written({ endpoint, cluster: true }, 'slot-strays', pin);
    const tag = /\{[^}]*\}/.exec(summary.keyBase)![0];
    const stray = keyFor(summary.keyBase, WRITES + 1);
    const named = `${summary.keyBase}:x`;
    const unplant = await plant(owner, {
      [stray]: 'stray',
      [named]: 'no sequence',
      [`app:${tag}:1`]: 'same slot, not the run',
    });
    // Act
    const verification = await check();
    // Assess
    expect(verification).toMatchObject({
      unexpectedSearch: 'slot',
      unexpected: 2,
      unexpectedDetail: { neverAttempted: 2, payloadMismatch: 0 },
      slotKeys: { foreign: 1 },
    });
    expect(verification.unexpectedDetail.samples.sort()).toEqual([stray, named].sort());
    await unplant();
  });
});
