/**
 * A local cluster-mode-disabled group changing its replica count on real redis-servers: replicas added sync
 * from the primary, removed ones stop, and the primary's INFO replication agrees with what the group reports.
 */
import { describe, expect, it } from 'vitest';
import { PrimaryReplicaGroup } from '../../local/elasticache/primary-replica-group.js';
import { replicasOf } from '../../local/elasticache/replica-count.js';

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
