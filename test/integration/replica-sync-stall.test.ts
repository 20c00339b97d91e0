/**
 * A cluster start's sync wait against real redis-server replicas: it returns once a replica is in sync,
 * and a replica that cannot sync fails the wait by name, with what its INFO and its log say.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterStartStalledError, waitUntilReplicasSynced } from '../../local/redis/progress.js';
import { freePort, RedisServer } from '../../local/redis/server.js';

const servers: RedisServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.stop())));

async function started(options: Parameters<typeof RedisServer.start>[0]): Promise<RedisServer> {
  const server = await RedisServer.start(options);
  servers.push(server);
  return server;
}

describe('waitUntilReplicasSynced', () => {
  it('returns once the replica is in sync with a live primary', async () => {
    // Prepare
    const primary = await started({ name: 'sync-primary' });
    const replica = await started({ name: 'sync-replica', replicaOf: primary.endpoint, waitForSync: false });

    // Act
    await waitUntilReplicasSynced([replica], 5000);

    // Assess
    expect((await replica.info('replication')).master_link_status).toBe('up');
  });

  it('names the replica, its link state and its own log line when its primary is gone', async () => {
    // Prepare: a primary's port nothing listens on
    const gone = { host: '127.0.0.1', port: await freePort() };
    const replica = await started({ name: 'orphan', replicaOf: gone, waitForSync: false });

    // Act
    const error = await waitUntilReplicasSynced([replica], 1000).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ClusterStartStalledError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^1 replicas syncing: nothing advanced for 1 s \(load average [\d.]+ on \d+ cores\)/,
    );
    expect(message).toMatch(/orphan role slave, master_link_status down, master_sync_in_progress 0/);
    // The replica's own word: it could not connect to the primary.
    expect(message).toMatch(/its log: ".*(Connection refused|connecting to the MASTER)/);
  });
});
