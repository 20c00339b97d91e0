/**
 * CloudWatch's own durability metrics for a drill's window, as the report reads them: the results of the
 * state machine's GetMetricData Task (ReadDurabilityMetrics, an AWS SDK integration, so that the Report
 * bundle carries no CloudWatch client) — `DurabilityLag` (max, and at the fault),
 * `DurabilityBufferExceededErrorCount` (sum) and `TrafficManagementActive` (max). Pure.
 */
import type { DurabilityMetrics } from './durability.js';

/** ElastiCache publishes node metrics every 60 s; the Task asks for 60 s periods. */
const PERIOD_S = 60;

/** One result as the Task leaves it in the state (Step Functions gives timestamps as ISO 8601 strings). */
export interface MetricDataResult {
  Id?: string;
  Timestamps?: (string | number | Date)[];
  Values?: number[];
}

/** What ReadDurabilityMetrics puts at `$.durabilityMetrics`. */
export interface DurabilityMetricData {
  MetricDataResults?: MetricDataResult[];
}

const epochMs = (at: string | number | Date | undefined) =>
  at === undefined
    ? 0
    : at instanceof Date
      ? at.getTime()
      : typeof at === 'number'
        ? at * 1000
        : Date.parse(at);

/** The figures from GetMetricData's results; null where a metric had no datapoint. */
export function durabilityMetricsOf(
  results: readonly MetricDataResult[],
  faultAtEpochMs: number | null,
): DurabilityMetrics {
  const series = (id: string) => {
    const result = results.find((r) => r.Id === id);
    return (result?.Values ?? []).map((value, i) => ({ value, at: epochMs(result?.Timestamps?.[i]) }));
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
