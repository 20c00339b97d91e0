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
  return async (q) => {
    const node = q.dimensions.CacheClusterId;
    const metric = MEMORY_METRICS.find((m) => m === q.metricName);
    if (q.namespace !== 'AWS/ElastiCache' || !node || !metric) return undefined;
    const read = await memory(node);
    if (!read) return undefined;
    // Within the window asked, as a datapoint of the last minute would be.
    const atMs = Math.min(Math.max(Date.now(), q.fromMs), q.toMs - 1);
    if (metric === 'BytesUsedForCache') return [{ atMs, value: read.used }];
    // maxmemory 0 (no limit) has no percentage: CloudWatch would publish none.
    return read.max > 0 ? [{ atMs, value: (read.used * 100) / read.max }] : [];
  };
}
