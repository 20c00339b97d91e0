/**
 * The local memory metrics: both of a node's figures in one GetMetricData call come from one reading of
 * its redis-server, whatever the server's memory does between the call's queries.
 */
import { describe, expect, it } from 'vitest';
import { memoryMetrics } from './memory-metrics.js';

const query = (metricName: string, fromMs: number) => ({
  namespace: 'AWS/ElastiCache',
  metricName,
  dimensions: { CacheClusterId: 'g-001' },
  fromMs,
  toMs: fromMs + 60_000,
});

describe('memoryMetrics', () => {
  it('serves used and percentage from one reading a call, and reads again for the next call', async () => {
    // Prepare: used_memory grows by 1 MB at every reading; maxmemory is 12 MB
    let used = 4 * 2 ** 20;
    const readings: number[] = [];
    const source = memoryMetrics(async () => {
      used += 2 ** 20;
      readings.push(used);
      return { used, max: 12 * 2 ** 20 };
    });

    // Act: one call's two queries, then a second call's
    const [usedNow, percentNow] = await Promise.all([
      source(query('BytesUsedForCache', 1_000)),
      source(query('DatabaseMemoryUsagePercentage', 1_000)),
    ]);
    const later = await source(query('BytesUsedForCache', 2_000));

    // Assess: the maxmemory derived from the pair is the server's own
    const maxBytes = (usedNow![0]!.value * 100) / percentNow![0]!.value;
    expect(maxBytes).toBe(12 * 2 ** 20);
    expect(readings).toHaveLength(2);
    expect(later![0]!.value).toBe(readings[1]);
  });
});
