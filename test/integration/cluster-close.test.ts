import { setTimeout as sleep, setImmediate as tick } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { disconnectForGood } from '../../functions/shared/redis-client.js';
import { RedisCluster } from '../../local/redis/cluster.js';

/**
 * How many slot refreshes a Cluster client starts in the 300 ms after it was disconnected while its
 * interval's refresh was in flight (the race that re-arms the interval).
 */
async function refreshesAfterDisconnect(cluster: RedisCluster, disconnect: (client: Cluster) => void) {
  const refreshes = vi.spyOn(Cluster.prototype, 'refreshSlotsCache');
  const client = new Cluster([cluster.nodes[0]!.endpoint], { lazyConnect: true, slotsRefreshInterval: 20 });
  client.on('error', () => {});
  await client.connect();
  const refreshing = () => (client as unknown as { isRefreshing: boolean }).isRefreshing;
  for (let ticks = 0; !refreshing(); ticks++) {
    if (ticks > 1_000_000) throw new Error('no slot refresh seen');
    await tick();
  }
  disconnect(client);
  const atDisconnect = refreshes.mock.calls.length;
  await sleep(300);
  // Stop a zombie either way, so that it does not outlive the test.
  (client as unknown as { refreshSlotsCache: () => void }).refreshSlotsCache = () => {};
  return refreshes.mock.calls.length - atDisconnect;
}

// ioredis 6.0.0 re-arms a Cluster's slotsRefreshInterval when a refresh in flight at disconnect completes,
// then refreshes against no nodes forever: the process (a CLI run, a warm Lambda container) never idles.
describe('disconnectForGood, on a real Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await RedisCluster.start({ shards: 2, replicas: 0, name: 'close' });
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the library alone: a disconnect mid-refresh keeps refreshing (why disconnectForGood exists)', async () => {
    // Act
    const refreshes = await refreshesAfterDisconnect(cluster, (client) => client.disconnect());

    // Assess: if this starts failing, ioredis has fixed it and disconnectForGood's stub can go
    expect(refreshes).toBeGreaterThan(2);
  });

  it('disconnectForGood: no slot refresh after a disconnect mid-refresh', async () => {
    // Act
    const refreshes = await refreshesAfterDisconnect(cluster, disconnectForGood);

    // Assess
    expect(refreshes).toBe(0);
  });
});
