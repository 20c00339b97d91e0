/**
 * The local cloud's online resharding on real redis-server processes: slots move with their keys while a
 * cluster client writes, so that nothing written is lost and every key is readable on its new shard; the
 * slot map that CLUSTER SHARDS tells agrees with the node groups the control plane describes.
 */
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterGroup } from '../../local/elasticache/cluster-group.js';
import { slotOwners } from '../../local/elasticache/reshard.js';

let group: ClusterGroup;

beforeAll(async () => {
  group = await ClusterGroup.start({
    id: 'rs',
    shards: 2,
    replicas: 1,
    detectionDelayMs: 0,
    graceful: false,
  });
}, 60_000);

afterAll(async () => {
  await group?.stop();
});

/** Writes one new key per millisecond-ish until stopped; the keys acknowledged and the redirections met. */
function writeUntil(client: Cluster, stop: Promise<void>): Promise<{ acked: string[]; failed: number }> {
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  return (async () => {
    const acked: string[] = [];
    let failed = 0;
    for (let i = 0; !stopped; i++) {
      const key = `rs:${i}`;
      await client.set(key, String(i)).then(
        () => acked.push(key),
        () => failed++,
      );
    }
    return { acked, failed };
  })();
}

/** Every slot owned by the primary of exactly one of `count` shards, as one node's CLUSTER SHARDS says. */
async function shardsCovering(): Promise<{ shards: number; slots: number }> {
  const client = new Redis(group.view().nodeGroups[0]!.members[0]!.endpoint);
  const owners = await slotOwners({ call: (command, ...args) => client.call(command, ...args) });
  client.disconnect();
  return { shards: new Set(owners.values()).size, slots: owners.size };
}

describe('ClusterGroup.reshard', () => {
  it('moves slots with their keys 2 → 3 → 2 under writes: nothing lost, every key on its new shard', async () => {
    // Prepare
    const endpoint = group.view().configurationEndpoint!;
    const client = new Cluster([endpoint], { maxRedirections: 64 });
    const progress: number[] = [];
    const events: string[] = [];
    const emit = (_: unknown, __: string, message: string) => void events.push(message);

    // Act
    let done!: () => void;
    const writing = writeUntil(client, new Promise<void>((resolve) => (done = resolve)));
    await group.reshard(
      { nodeGroupCount: 3, remove: [], progress: (m, t) => progress.push((100 * m) / t) },
      emit,
    );
    const out = group.view().nodeGroups.map((ng) => ng.slots);
    const outShards = await shardsCovering();
    await group.reshard({ nodeGroupCount: 2, remove: ['0002'], progress: () => {} }, emit);
    done();
    const { acked } = await writing;
    const values = await Promise.all(acked.map((key) => client.get(key)));
    const inShards = await shardsCovering();
    client.disconnect();

    // Assess
    expect(out).toEqual(['0-5460', '5461-10921', '10922-16383']);
    expect(outShards).toEqual({ shards: 3, slots: 16384 });
    expect(progress.at(-1)).toBe(100);
    expect(group.view().nodeGroups.map((ng) => [ng.id, ng.slots])).toEqual([
      ['0001', '0-8191'],
      ['0003', '8192-16383'],
    ]);
    expect(inShards).toEqual({ shards: 2, slots: 16384 });
    expect(acked.length).toBeGreaterThan(100);
    expect(values.filter((v, i) => v !== acked[i]!.slice(3))).toEqual([]);
  }, 120_000);
});
