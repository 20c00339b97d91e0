/**
 * The drill lock held on a Global Datastore, not only on one group, against the local cloud's two regions
 * through the SDK: a region failover's Preflight locks both members (each in its own region), so a second
 * drill against the secondary group (its own region's stack) or against the datastore is refused by name;
 * ReleaseLock and the reaper (one releaseLock) then leave no lock tag in either region.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeReplicationGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-elasticache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_TAG, parseLock } from '../../functions/core/drill/guardrails.js';
import { preflight } from '../../functions/core/drill/preflight.js';
import { releaseLock } from '../../functions/core/drill/release-lock.js';
import { parseDrillRequest } from '../../functions/core/drill/request.js';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import { elastiCacheClient } from '../support/local-cloud.js';

let cloud: LocalCloud;
beforeAll(async () => {
  // No WAN latency: the lock is on tags, not on the replication link.
  cloud = await startLocalCloud({ replicas: 1, global: { crossRegionLatencyMs: 0 } });
}, 60_000);
afterAll(async () => {
  await cloud?.stop();
});

/** A region's clients, as that region's stack builds them (a client per region for the other members). */
function clientsIn(region: string) {
  const target = (r: string) => ({ endpoint: cloud.endpoint, region: r, credentials: cloud.credentials });
  return {
    elastiCache: elastiCacheClient(target(region)),
    cloudWatch: new CloudWatchClient({ ...target(region), maxAttempts: 1 }),
    elastiCacheIn: (r: string) => elastiCacheClient(target(r)),
  };
}

/** The lock tag's holder on a member, read in the member's own region. */
async function holderOf(member: { region: string; replicationGroupId: string }) {
  const client = clientsIn(member.region).elastiCache;
  const group = (
    await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: member.replicationGroupId }))
  ).ReplicationGroups![0]!;
  const tags = await client.send(new ListTagsForResourceCommand({ ResourceName: group.ARN }));
  return parseLock(tags.TagList?.find((t) => t.Key === LOCK_TAG)?.Value)?.runId ?? null;
}

/** A region failover of the datastore (us-east-1's stack), and a drill of the secondary group (eu-west-1's). */
function requests() {
  const g = cloud.global!;
  const regionFailover = parseDrillRequest({
    replicationGroupId: g.primary.replicationGroupId,
    fault: {
      source: 'global-failover',
      globalReplicationGroupId: g.globalReplicationGroupId,
      secondaryRegion: g.secondary.region,
      secondaryReplicationGroupId: g.secondary.replicationGroupId,
    },
  });
  const onSecondary = parseDrillRequest({
    replicationGroupId: g.secondary.replicationGroupId,
    fault: 'none',
  });
  return { regionFailover, onSecondary };
}

describe('the lock on a Global Datastore', () => {
  it('refuses a second drill against the secondary group while a region failover holds it; released in both regions', async () => {
    // Prepare
    const g = cloud.global!;
    const us = clientsIn(g.primary.region);
    const eu = clientsIn(g.secondary.region);
    const { regionFailover, onSecondary } = requests();

    // Act
    const plan = await preflight(regionFailover, 'holder', us);
    const held = { primary: await holderOf(g.primary), secondary: await holderOf(g.secondary) };
    const second = await preflight(onSecondary, 'second', eu).catch((error: unknown) => error);
    const third = await preflight(regionFailover, 'third', us).catch((error: unknown) => error);
    const released = await releaseLock(plan, us.elastiCache, us.elastiCacheIn);
    const after = { primary: await holderOf(g.primary), secondary: await holderOf(g.secondary) };

    // Assess
    expect(held).toEqual({ primary: 'holder', secondary: 'holder' });
    expect(second).toMatchObject({
      name: 'GuardrailError',
      guardrail: 'drill-in-progress',
      message: expect.stringContaining(`drill holder holds ${g.secondary.replicationGroupId}`),
    });
    expect(third).toMatchObject({ name: 'GuardrailError' });
    expect((third as Error).message).toMatch(/drill holder/);
    expect(released.released).toBe(true);
    expect(after).toEqual({ primary: null, secondary: null });
  }, 60_000);

  it('lets one of a region failover and a drill of the secondary, started at once, proceed; the loser holds no lock', async () => {
    // Prepare
    const g = cloud.global!;
    const us = clientsIn(g.primary.region);
    const eu = clientsIn(g.secondary.region);
    const { regionFailover, onSecondary } = requests();

    // Act
    const [global, secondary] = await Promise.allSettled([
      preflight(regionFailover, 'global', us),
      preflight(onSecondary, 'secondary', eu),
    ]);
    const held = { primary: await holderOf(g.primary), secondary: await holderOf(g.secondary) };
    for (const [outcome, clients] of [
      [global, us],
      [secondary, eu],
    ] as const)
      if (outcome.status === 'fulfilled')
        await releaseLock(outcome.value, clients.elastiCache, clients.elastiCacheIn);

    // Assess
    expect([global.status, secondary.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
    const refused = global.status === 'rejected' ? global : (secondary as PromiseRejectedResult);
    // Refused by the lock either way: read before the judgement (lock) or taken after it (drill-in-progress).
    expect(refused.reason).toMatchObject({
      name: 'GuardrailError',
      guardrail: expect.stringMatching(/^(lock|drill-in-progress)$/),
    });
    // The region failover holds both members or none: when it lost the secondary, it gave the primary back.
    expect(held).toEqual(
      global.status === 'fulfilled'
        ? { primary: 'global', secondary: 'global' }
        : { primary: null, secondary: 'secondary' },
    );
  }, 60_000);
});
