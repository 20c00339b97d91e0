/**
 * Local groups changing their replica count on real redis-servers: replicas added sync from the primary,
 * removed ones stop, and each primary's INFO replication (and the cluster's own node table) agrees with what
 * the group reports.
 */
import { describe, expect, it } from 'vitest';
import { ClusterGroup } from '../../local/elasticache/cluster-group.js';
import type { LocalGroup } from '../../local/elasticache/group.js';
import { PrimaryReplicaGroup } from '../../local/elasticache/primary-replica-group.js';
import { replicasOf } from '../../local/elasticache/replica-count.js';
import { redisClient } from '../support/local-cloud.js';

describe('a local group changing its replica count', () => {
  it('adds replicas that sync, then removes them, the primary seeing exactly the replicas reported', async () => {
    // Prepare
    const group = await PrimaryReplicaGroup.start({
      id: 'replica-count',
      replicas: 1,
      replicationLagMs: 0,
      detectionDelayMs: 0,
      graceful: false,
    });
    const primaryPort = group.view().nodeGroups[0]!.members[0]!.endpoint.port;
    const connected = async () => Number((await group.primaryServer.info('replication')).connected_slaves);
    try {
      await group.primaryServer.call('SET', 'before', '1');

      // Act
      await group.changeReplicas(3, () => {});
      const up = { reported: replicasOf(group.view()), connected: await connected() };
      const newest = group.view().nodeGroups[0]!.members.at(-1)!;
      await group.changeReplicas(1, () => {});
      const down = { reported: replicasOf(group.view()), connected: await connected() };

      // Assess
      expect(up).toEqual({ reported: [3], connected: 3 });
      expect(newest.id).toBe('replica-count-004');
      expect(down).toEqual({ reported: [1], connected: 1 });
      // The primary stayed: no failover, only replicas came and went.
      expect(group.view().nodeGroups[0]!.members[0]).toMatchObject({ role: 'primary' });
      expect(group.primaryServer.port).toBe(primaryPort);
    } finally {
      await group.stop();
    }
  }, 60_000);
});

/** Per node group: the primary's connected replicas; in cluster mode, the nodes it knows and the cluster's state. */
async function seenByPrimaries(
  group: LocalGroup,
): Promise<{ connected: number; known?: number; state?: string }[]> {
  return Promise.all(
    group.view().nodeGroups.map(async (ng) => {
      const primary = ng.members.find((m) => m.role === 'primary')!;
      const client = redisClient(primary.endpoint);
      try {
        await client.connect();
        const info = (await client.info('replication')) as string;
        const connected = Number(/connected_slaves:(\d+)/.exec(info)?.[1]);
        if (group.view().clusterMode === 'disabled') return { connected };
        const nodes = ((await client.call('CLUSTER', 'NODES')) as string).trim().split('\n');
        const state = /cluster_state:(\w+)/.exec((await client.call('CLUSTER', 'INFO')) as string)?.[1];
        return { connected, known: nodes.length, state };
      } finally {
        client.disconnect();
      }
    }),
  );
}

describe('a local cluster changing its replica count', () => {
  it('adds a replica to every shard, then removes it: the cluster forgets it, every slot still served', async () => {
    // Prepare
    const group = await ClusterGroup.start({
      id: 'replica-shards',
      shards: 2,
      replicas: 1,
      detectionDelayMs: 0,
      graceful: false,
    });
    try {
      // Act
      await group.changeReplicas(2, () => {});
      const up = { reported: replicasOf(group.view()), seen: await seenByPrimaries(group) };
      await group.changeReplicas(1, () => {});
      const down = { reported: replicasOf(group.view()), seen: await seenByPrimaries(group) };

      // Assess
      expect(up).toEqual({
        reported: [2, 2],
        seen: [
          { connected: 2, known: 6, state: 'ok' },
          { connected: 2, known: 6, state: 'ok' },
        ],
      });
      expect(down).toEqual({
        reported: [1, 1],
        seen: [
          { connected: 1, known: 4, state: 'ok' },
          { connected: 1, known: 4, state: 'ok' },
        ],
      });
    } finally {
      await group.stop();
    }
  }, 60_000);
});
