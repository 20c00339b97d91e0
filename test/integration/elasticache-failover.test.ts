import {
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  TestFailoverCommand,
} from '@aws-sdk/client-elasticache';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import {
  documentedFailoverEvents,
  elastiCacheClient,
  eventTuples,
  faultOf,
  redisClient,
  roleAt,
  waitForEvent,
} from '../support/local-cloud.js';

const clouds: LocalCloud[] = [];
afterEach(async () => {
  await Promise.all(clouds.splice(0).map((c) => c.stop()));
});

async function start(
  options: Parameters<typeof startLocalCloud>[0],
): Promise<[LocalCloud, ElastiCacheClient]> {
  const cloud = await startLocalCloud({ detectionDelayMs: 100, ...options });
  clouds.push(cloud);
  return [cloud, elastiCacheClient(cloud)];
}

const testFailover = (ec: ElastiCacheClient, ReplicationGroupId = 'drill-demo', NodeGroupId = '0001') =>
  ec.send(new TestFailoverCommand({ ReplicationGroupId, NodeGroupId }));

describe('cluster mode disabled: TestFailover on real processes', () => {
  it('moves the primary role to a replica, moves the endpoints, and brings the old primary back as a replica', async () => {
    // Prepare
    const [cloud, ec] = await start({});
    const before = cloud.group.nodeGroups[0]!.nodes;
    const [oldPrimary, ...replicas] = before;
    await (async () => {
      const writer = redisClient(cloud.group.primaryEndpoint!);
      await writer.connect();
      await writer.set('before-failover', '1');
      // On both replicas before the crash: this key is about resync, not about loss.
      await writer.call('WAIT', 2, 5000);
      writer.disconnect();
    })();
    const t0 = new Date();

    // Act
    await testFailover(ec);
    const events = await waitForEvent(ec, /^Finished recovery/);
    const described = await ec.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'drill-demo' }),
    );

    // Assess
    const members = described.ReplicationGroups![0]!.NodeGroups![0]!.NodeGroupMembers!;
    const to = members.find((m) => m.CurrentRole === 'primary')!.CacheClusterId!;
    const from = oldPrimary!.id;
    expect(replicas.map((r) => r.id)).toContain(to);
    expect(members.filter((m) => m.CurrentRole === 'replica').map((m) => m.CacheClusterId)).toContain(from);
    const node = (id: string) => before.find((n) => n.id === id)!;
    const other = replicas.find((r) => r.id !== to)!;
    const roles = await Promise.all([roleAt(node(to)), roleAt(oldPrimary!), roleAt(other)]);
    expect(roles).toEqual([
      { role: 'master' },
      expect.objectContaining({ role: 'slave', linkState: 'connected' }),
      expect.objectContaining({ role: 'slave', linkState: 'connected' }),
    ]);
    expect((await roleAt(cloud.group.primaryEndpoint!)).role).toBe('master');
    expect((await roleAt(cloud.group.readerEndpoint!)).role).toBe('slave');
    const reader = redisClient(oldPrimary!);
    await reader.connect();
    expect(await reader.get('before-failover')).toBe('1'); // resynced from the new primary
    reader.disconnect();
    expect(eventTuples(events, t0)).toEqual(documentedFailoverEvents('drill-demo', '0001', from, to));
    const dates = events.map((e) => e.Date!.getTime());
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    expect(members.every((m) => m.CacheClusterId)).toBe(true);
    expect(described.ReplicationGroups![0]!.Status).toBe('available');
  });

  it('refuses an overlapping TestFailover, an unknown group and an unknown node group with typed faults', async () => {
    // Prepare
    const [cloud, ec] = await start({ replicas: 1 });

    // Act
    await testFailover(ec);
    const overlapping = await faultOf(testFailover(ec));
    const unknownGroup = await faultOf(testFailover(ec, 'no-such-group'));
    const unknownNodeGroup = await faultOf(testFailover(ec, 'drill-demo', '0002'));
    await cloud.idle();

    // Assess
    expect(overlapping).toEqual(['InvalidReplicationGroupStateFault', 400]);
    expect(unknownGroup).toEqual(['ReplicationGroupNotFoundFault', 404]);
    expect(unknownNodeGroup).toEqual(['NodeGroupNotFoundFault', 404]);
    expect(cloud.group.nodeGroups[0]!.nodes.map((n) => n.role)).toEqual(['replica', 'primary']);
  });

  it('enforces the TestFailover quota and refuses a node group without a replica', async () => {
    // Prepare
    const [limited, ec] = await start({ replicas: 1, testFailoverLimit: 1 });
    const [, lonely] = await start({ replicas: 0, groupId: 'lonely' });
    await testFailover(ec);
    await limited.idle();

    // Act
    const overQuota = await faultOf(testFailover(ec));
    const noReplica = await faultOf(testFailover(lonely, 'lonely'));

    // Assess
    expect(overQuota).toEqual(['APICallRateForCustomerExceededFault', 400]);
    expect(noReplica).toEqual(['TestFailoverNotAvailableFault', 400]);
  });

  it('stops every process even while a failover is under way', async () => {
    // Prepare
    const [cloud, ec] = await start({ detectionDelayMs: 0 });
    const ports = cloud.group.nodeGroups[0]!.nodes;

    // Act
    await testFailover(ec);
    await cloud.stop();
    await cloud.stop();

    // Assess
    const answers = await Promise.all(
      ports.map((p) =>
        roleAt(p).then(
          () => 'up',
          () => 'down',
        ),
      ),
    );
    expect(answers).toEqual(['down', 'down', 'down']);
  });
});
