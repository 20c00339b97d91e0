import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeReplicationGroupsCommand, TestFailoverCommand } from '@aws-sdk/client-elasticache';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import {
  documentedFailoverEvents,
  elastiCacheClient,
  eventTuples,
  roleAt,
  waitForEvent,
} from '../support/local-cloud.js';

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ clusterMode: 'enabled', shards: 3, replicas: 1, detectionDelayMs: 100 });
});
afterAll(async () => {
  await cloud?.stop();
});

function clusterClient(): Cluster {
  const client = new Cluster([cloud.group.configurationEndpoint!], {
    enableOfflineQueue: true,
    redisOptions: { connectTimeout: 2000, maxRetriesPerRequest: 1 },
  });
  client.on('error', () => {});
  return client;
}

describe('cluster mode enabled', () => {
  it('describes 3 node groups with their slots and a configuration endpoint that serves the cluster', async () => {
    // Prepare
    const ec = elastiCacheClient(cloud);
    const client = clusterClient();

    // Act
    const out = await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'drill-demo' }));
    await client.set('{a}k', '1');
    const value = await client.get('{a}k');
    client.disconnect();

    // Assess
    const group = out.ReplicationGroups![0]!;
    expect(group).toMatchObject({
      ClusterEnabled: true,
      ClusterMode: 'enabled',
      AutomaticFailover: 'enabled',
    });
    expect(group.ConfigurationEndpoint).toEqual({
      Address: '127.0.0.1',
      Port: cloud.group.configurationEndpoint!.port,
    });
    expect(group.NodeGroups!.map((ng) => [ng.NodeGroupId, ng.Slots, ng.NodeGroupMembers!.length])).toEqual([
      ['0001', '0-5460', 2],
      ['0002', '5461-10921', 2],
      ['0003', '10922-16383', 2],
    ]);
    expect(group.MemberClusters).toEqual([
      'drill-demo-0001-001',
      'drill-demo-0001-002',
      'drill-demo-0002-001',
      'drill-demo-0002-002',
      'drill-demo-0003-001',
      'drill-demo-0003-002',
    ]);
    expect(value).toBe('1');
  });

  it('fails over one shard: its replica takes the slots, the old primary rejoins as its replica', async () => {
    // Prepare
    const ec = elastiCacheClient(cloud);
    const [oldPrimary, replica] = cloud.group.nodeGroups[1]!.nodes;
    const untouched = cloud.group.nodeGroups.filter((ng) => ng.id !== '0002').flatMap((ng) => ng.nodes);
    const t0 = new Date();

    // Act
    await ec.send(new TestFailoverCommand({ ReplicationGroupId: 'drill-demo', NodeGroupId: '0002' }));
    const events = await waitForEvent(ec, /^Finished recovery/);
    const client = clusterClient();
    await client.set('after', 'ok');
    const after = await client.get('after');
    client.disconnect();

    // Assess
    expect(await roleAt(replica!)).toEqual({ role: 'master' });
    expect(await roleAt(oldPrimary!)).toEqual({
      role: 'slave',
      primaryPort: replica!.port,
      linkState: 'connected',
    });
    expect((await Promise.all(untouched.map((n) => roleAt(n)))).map((r) => r.role)).toEqual([
      'master',
      'slave',
      'master',
      'slave',
    ]);
    expect(after).toBe('ok');
    expect(eventTuples(events, t0)).toEqual(
      documentedFailoverEvents('drill-demo', '0002', oldPrimary!.id, replica!.id),
    );
    expect(cloud.group.nodeGroups[1]!.nodes.map((n) => n.role)).toEqual(['replica', 'primary']);
  });

  it('keeps the roles when a primary is starved of CPU past the node timeout: only TestFailover moves them', async () => {
    // Prepare: a stall three times the cluster's node timeout, as a loaded machine makes one
    const [primary, replica] = cloud.group.nodeGroups[2]!.nodes;
    // redis-server's process title is `redis-server 127.0.0.1:PORT [cluster]`.
    const pid = Number(
      execFileSync('pgrep', ['-f', `^redis-server 127\\.0\\.0\\.1:${primary!.port} `], {
        encoding: 'utf8',
      }).trim(),
    );

    // Act
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(3000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await sleep(1500); // a replica that had won an election would have taken over by now

    // Assess
    expect((await roleAt(primary!)).role).toBe('master');
    expect(await roleAt(replica!)).toMatchObject({ role: 'slave', primaryPort: primary!.port });
    expect(cloud.group.nodeGroups[2]!.nodes.map((n) => n.role)).toEqual(['primary', 'replica']);
  });
});
