/**
 * GlobalDatastoreReplicationLag as the local CloudWatch serves it and the drill reads it: against the
 * injected truth of the WAN link, an 800 ms delay line on a 70 ms link reads 0.87 s, no delay line reads the
 * link's latency alone, and the primary (no secondary's node) publishes none.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { globalLagMetricMs } from '../../functions/core/drill/global-lag-metric.js';
import { startLocalCloud } from '../../local/cloud.js';
import { elastiCacheClient } from '../support/local-cloud.js';

const LATENCY_MS = 70;

/** The metric for the secondary and for the primary, each read in its own region, as the drill reads it. */
async function readings(crossRegionLagMs: number) {
  const cloud = await startLocalCloud({
    replicas: 0,
    global: { crossRegionLagMs, crossRegionLatencyMs: LATENCY_MS },
  });
  try {
    const g = cloud.global!;
    const read = (member: { region: string; replicationGroupId: string }) =>
      globalLagMetricMs(
        {
          elastiCache: elastiCacheClient({ ...cloud, region: member.region }),
          cloudWatch: new CloudWatchClient({ ...cloud, region: member.region, maxAttempts: 1 }),
        },
        member.replicationGroupId,
        Date.now(),
      );
    return { secondary: await read(g.secondary), primary: await read(g.primary) };
  } finally {
    await cloud.stop();
  }
}

describe.concurrent('GlobalDatastoreReplicationLag from the WAN link', () => {
  it('reads an 800 ms delay line as 0.8 s plus the link latency', async () => {
    // Act
    const { secondary, primary } = await readings(800);

    // Assess
    expect(secondary).toBe(800 + LATENCY_MS);
    expect(primary).toBeNull();
  }, 60_000);

  it('reads no delay line as the link latency alone', async () => {
    // Act
    const { secondary } = await readings(0);

    // Assess
    expect(secondary).toBe(LATENCY_MS);
  }, 60_000);
});
