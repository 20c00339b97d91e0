/** The measurement engine against a real Redis Cluster: keys pinned to one shard, that shard failed over. */
import { afterEach, describe, expect, it } from 'vitest';
import { RedisCluster } from '../../local/redis/cluster.js';
import { measure, tracker, until } from '../support/measure-kit.js';

const { track, stopAll } = tracker();
afterEach(stopAll);

describe('measurement in cluster mode', () => {
  it('pins the writes to the failed-over shard and loses none in a manual failover', async () => {
    // Prepare
    const cluster = track(await RedisCluster.start({ shards: 3, replicas: 1, name: 'measure' }));
    const shard = cluster.shards[1]!;
    const [oldPrimary, replica] = shard.nodes as [(typeof shard.nodes)[0], (typeof shard.nodes)[0]];
    const seed = cluster.shards[0]!.nodes[0]!;
    const [oldId, newId] = (await Promise.all([
      oldPrimary.call('CLUSTER', 'MYID'),
      replica.call('CLUSTER', 'MYID'),
    ])) as [string, string];
    // Act
    const { report, summary, verification, deleted } = await measure(
      { endpoint: seed.url, cluster: true },
      { rate: 1000, settleMs: 500, baselineMs: 300, maxDurationMs: 20_000, pin: [shard.slots] },
      async () => {
        await replica.call('CLUSTER', 'FAILOVER');
        await until(
          'the replica to take over',
          async () => (await replica.info('replication')).role === 'master',
        );
      },
    );
    // Assess
    expect(summary.slot).toBeGreaterThanOrEqual(shard.slots[0]);
    expect(summary.slot).toBeLessThanOrEqual(shard.slots[1]);
    expect(await replica.call('CLUSTER', 'KEYSLOT', `${summary.keyBase}:1`)).toBe(summary.slot);
    expect(report.failover).toMatchObject({ from: oldId, to: newId });
    expect(verification.readFrom.id).toBe(newId);
    expect(report.writes).toMatchObject({ lost: 0, unexpected: 0, failedButPresent: 0 });
    expect(report.writes.acknowledged).toBeGreaterThan(500);
    expect(report.disruption.observed).toBe(true);
    expect(deleted).toBe(report.writes.acknowledged + report.writes.recovered);
    expect(report.verdict).toBe('pass');
  });
});
