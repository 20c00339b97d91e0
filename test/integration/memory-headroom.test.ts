/**
 * The memory headroom guardrail of a scale-in, on a local cloud's real redis-servers: Preflight reads each
 * node's BytesUsedForCache and DatabaseMemoryUsagePercentage from CloudWatch (the local one reads INFO memory)
 * and refuses a reshard 3 → 2 by name when the retained shards lack 1.5× the removed shard's used memory.
 * The truth is injected: the removed shard filled with known bytes, the retained ones' maxmemory set low.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeReplicationGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-elasticache';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_TAG } from '../../functions/core/drill/guardrails.js';
import { readShardMemory } from '../../functions/core/drill/memory-headroom.js';
import { preflight } from '../../functions/core/drill/preflight.js';
import { parseDrillRequest } from '../../functions/core/drill/request.js';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import { elastiCacheClient } from '../support/local-cloud.js';

/** What the removed shard is filled with: 20 values of 1 MiB. */
const FILL = { keys: 20, bytes: 2 ** 20 };

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ clusterMode: 'enabled', shards: 3, replicas: 1 });
}, 60_000);
afterAll(async () => {
  await cloud?.stop();
});

function clients() {
  const target = { endpoint: cloud.endpoint, region: cloud.region, credentials: cloud.credentials };
  return {
    elastiCache: elastiCacheClient(target),
    cloudWatch: new CloudWatchClient({ ...target, maxAttempts: 1 }),
  };
}

/** A plain connection to a node group's primary. */
function primaryOf(nodeGroupId: string): Redis {
  const node = cloud.group.nodeGroups
    .find((ng) => ng.id === nodeGroupId)!
    .nodes.find((n) => n.role === 'primary')!;
  return new Redis({ host: node.host, port: node.port, password: cloud.group.auth?.token });
}

/** Fills a shard through its primary with keys of one hash tag it owns. */
async function fill(nodeGroupId: string): Promise<void> {
  const primary = primaryOf(nodeGroupId);
  const slots = cloud.group.nodeGroups.find((ng) => ng.id === nodeGroupId)!.slots!;
  const [from, to] = slots.split('-').map(Number) as [number, number];
  let tag = 0;
  for (;;) {
    const slot = (await primary.call('CLUSTER', 'KEYSLOT', `t${tag}`)) as number;
    if (slot >= from && slot <= to) break;
    tag++;
  }
  const value = 'x'.repeat(FILL.bytes);
  for (let i = 0; i < FILL.keys; i++) await primary.set(`{t${tag}}:${i}`, value);
  primary.disconnect();
}

const scaleIn = () =>
  parseDrillRequest({
    replicationGroupId: cloud.groupId,
    fault: { source: 'reshard', nodeGroupCount: 2 },
    dryRun: true,
  });

describe('the memory headroom of a scale-in', () => {
  it('allows 3 → 2 when the retained shards have the headroom', async () => {
    // Prepare
    const request = scaleIn();

    // Act
    const plan = await preflight(request, 'headroom-allowed', clients());

    // Assess
    expect(plan.dryRun?.fault).toBe('reshard');
  });

  it('refuses 3 → 2 by name, nothing changed, when the retained shards lack 1.5× the removed one', async () => {
    // Prepare
    await fill('0003');
    // 2 × 12 MB of maxmemory, minus what they use: less than 1.5 × 20 MiB.
    for (const id of ['0001', '0002']) {
      const primary = primaryOf(id);
      await primary.call('CONFIG', 'SET', 'maxmemory', '12mb');
      primary.disconnect();
    }
    const { elastiCache, cloudWatch } = clients();
    const described = async () =>
      (await elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: cloud.groupId })))
        .ReplicationGroups![0]!;

    // Act
    const refusal = await preflight(scaleIn(), 'headroom-refused', { elastiCache, cloudWatch }).catch(
      (error: unknown) => error,
    );
    const group = await described();
    const memory = await readShardMemory(cloudWatch, group, Date.now());
    const tags = await elastiCache.send(new ListTagsForResourceCommand({ ResourceName: group.ARN }));

    // Assess
    expect(refusal).toMatchObject({ name: 'MemoryHeadroomError', guardrail: 'memory-headroom' });
    // The figures the guardrail judged are the injected ones.
    const byId = Object.fromEntries(memory.map((s) => [s.nodeGroupId, s]));
    expect(byId['0003']!.usedBytes).toBeGreaterThan(FILL.keys * FILL.bytes);
    expect(byId['0001']!.maxBytes).toBeCloseTo(12 * 2 ** 20, -3);
    // Nothing changed: the node groups as they were, no lock taken.
    expect(group.NodeGroups?.map((ng) => ng.NodeGroupId)).toEqual(['0001', '0002', '0003']);
    expect(tags.TagList?.some((t) => t.Key === LOCK_TAG)).toBe(false);
  });
});
