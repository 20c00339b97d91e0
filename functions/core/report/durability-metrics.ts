/**
 * CloudWatch's own durability metrics for a drill's window (GetMetricData, namespace AWS/ElastiCache, per
 * node): `DurabilityLag` (max, and at the fault), `DurabilityBufferExceededErrorCount` (sum) and
 * `TrafficManagementActive` (max), beside what the drill measured. The client is injected.
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { DurabilityMetrics } from './durability.js';

/** ElastiCache publishes node metrics every 60 s. */
const PERIOD_S = 60;

export interface MetricsWindow {
  /** The node that was primary when the fault came (its CacheClusterId). */
  nodeId: string;
  fromEpochMs: number;
  toEpochMs: number;
  /** The fault (T0); null: none, then `durabilityLagAtFaultMs` is null. */
  faultAtEpochMs: number | null;
}

const QUERIES = [
  { id: 'lag', metric: 'DurabilityLag', stat: 'Maximum' },
  { id: 'exceeded', metric: 'DurabilityBufferExceededErrorCount', stat: 'Sum' },
  { id: 'traffic', metric: 'TrafficManagementActive', stat: 'Maximum' },
] as const;

/** The figures from GetMetricData's results; null where a metric had no datapoint. Pure. */
export function durabilityMetricsOf(
  results: readonly MetricDataResult[],
  faultAtEpochMs: number | null,
): DurabilityMetrics {
  const series = (id: string) => {
    const result = results.find((r) => r.Id === id);
    return (result?.Values ?? []).map((value, i) => ({ value, at: result?.Timestamps?.[i]?.getTime() ?? 0 }));
  };
  const max = (points: { value: number }[]) =>
    points.length === 0 ? null : Math.max(...points.map((p) => p.value));
  const lag = series('lag');
  const exceeded = series('exceeded');
  const atFault =
    faultAtEpochMs === null
      ? undefined
      : lag.find((p) => p.at <= faultAtEpochMs && faultAtEpochMs < p.at + PERIOD_S * 1000);
  return {
    durabilityLagMaxMs: max(lag),
    durabilityLagAtFaultMs: atFault?.value ?? null,
    bufferExceededErrors: exceeded.length === 0 ? null : exceeded.reduce((sum, p) => sum + p.value, 0),
    trafficManagementActiveMax: max(series('traffic')),
  };
}

/** Reads the three metrics of `window.nodeId` over the window (widened to whole periods). */
export async function readDurabilityMetrics(
  cloudWatch: CloudWatchClient,
  window: MetricsWindow,
): Promise<DurabilityMetrics> {
  const period = PERIOD_S * 1000;
  const out = await cloudWatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(Math.floor(window.fromEpochMs / period) * period),
      EndTime: new Date(Math.ceil(window.toEpochMs / period) * period),
      MetricDataQueries: QUERIES.map((q) => ({
        Id: q.id,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ElastiCache',
            MetricName: q.metric,
            Dimensions: [{ Name: 'CacheClusterId', Value: window.nodeId }],
          },
          Period: PERIOD_S,
          Stat: q.stat,
        },
      })),
    }),
  );
  return durabilityMetricsOf(out.MetricDataResults ?? [], window.faultAtEpochMs);
}
