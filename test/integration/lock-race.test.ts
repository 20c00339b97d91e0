/**
 * Ten drills started at once on one group, against the local cloud's ElastiCache through the SDK: the
 * tag lock (no compare-and-set on tags) lets exactly one proceed; the nine others are refused with
 * drill-in-progress, and the tag names the one that proceeded.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeReplicationGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-elasticache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_TAG, parseLock } from '../../functions/core/drill/guardrails.js';
import { preflight } from '../../functions/core/drill/preflight.js';
import { parseDrillRequest } from '../../functions/core/drill/request.js';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import { elastiCacheClient } from '../support/local-cloud.js';

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ replicas: 1 });
});
afterAll(async () => {
  await cloud?.stop();
});

describe('the drill lock under a race', () => {
  it('lets exactly one of ten simultaneous drills proceed; nine are refused with drill-in-progress', async () => {
    // Prepare
    const target = { endpoint: cloud.endpoint, region: cloud.region, credentials: cloud.credentials };
    const clients = {
      elastiCache: elastiCacheClient(target),
      cloudWatch: new CloudWatchClient({ ...target, maxAttempts: 1 }),
    };
    const request = parseDrillRequest({ replicationGroupId: cloud.groupId });

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => preflight(request, `race-${i}`, clients)),
    );
    const described = await clients.elastiCache.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: cloud.groupId }),
    );
    const tags = await clients.elastiCache.send(
      new ListTagsForResourceCommand({ ResourceName: described.ReplicationGroups![0]!.ARN }),
    );

    // Assess
    const proceeded = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.runId] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(proceeded).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const error of refused)
      expect(error).toMatchObject({ name: 'GuardrailError', guardrail: 'drill-in-progress' });
    expect(parseLock(tags.TagList?.find((t) => t.Key === LOCK_TAG)?.Value)?.runId).toBe(proceeded[0]);
  });
});
