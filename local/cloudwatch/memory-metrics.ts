/**
 * AWS/ElastiCache's memory metrics per node, as the local CloudWatch serves them: BytesUsedForCache
 * (used_memory) and DatabaseMemoryUsagePercentage (used_memory / maxmemory × 100), read from the node's
 * redis-server when asked. One datapoint, at the query's moment: ElastiCache publishes these every minute,
 * and the guardrail that reads them takes the latest.
 */
import type { MetricSource } from './metric-data.js';

type Memory = (cacheClusterId: string) => Promise<{ used: number; max: number } | undefined>;

export const MEMORY_METRICS = ['BytesUsedForCache', 'DatabaseMemoryUsagePercentage'] as const;

export function memoryMetrics(memory: Memory): MetricSource {
  // One reading a node for the queries of one GetMetricData call (they share its window), so that both
  // figures come from one sample, as a minute's datapoints do. Read apart, used_memory moved in between
  // under load, and the maxmemory the guardrail derives from the two was 1.6 % off.
  const readings = new Map<string, { window: string; read: ReturnType<Memory> }>();
  return async (q) => {
    const node = q.dimensions.CacheClusterId;
    const metric = MEMORY_METRICS.find((m) => m === q.metricName);
    if (q.namespace !== 'AWS/ElastiCache' || !node || !metric) return undefined;
    const window = `${q.fromMs}-${q.toMs}`;
    let reading = readings.get(node);
    if (reading?.window !== window) {
      reading = { window, read: memory(node) };
      readings.set(node, reading);
    }
    const read = await reading.read;
    if (!read) return undefined;
    // Within the window asked, as a datapoint of the last minute would be.
    const atMs = Math.min(Math.max(Date.now(), q.fromMs), q.toMs - 1);
    if (metric === 'BytesUsedForCache') return [{ atMs, value: read.used }];
    // maxmemory 0 (no limit) has no percentage: CloudWatch would publish none.
    return read.max > 0 ? [{ atMs, value: (read.used * 100) / read.max }] : [];
  };
}
