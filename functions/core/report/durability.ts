/**
 * The durability checker: a durable group's promise beside what the drill measured — kept or broken, the
 * writes its primary rejected, what sync costs in write latency, and CloudWatch's own durability metrics.
 * A broken promise is a violation whatever the thresholds say. Pure: the setting and the figures in.
 */
import type { ClientFigures } from '../measure/clients/figures.js';
import {
  type DurabilityMode,
  type DurabilityPromise,
  type DurabilitySetting,
  promiseOf,
  REJECTED_KIND,
} from '../measure/durability.js';
import type { LatencyPercentiles } from '../measure/latency.js';
import type { WriterSummary } from '../measure/summary.js';
import { durabilityMetricsOf, type MetricDataResult } from './durability-metrics.js';
import type { ProbeFigures } from './probe-figures.js';
import type { Violation } from './violations.js';

/** CloudWatch's durability metrics over the drill's window (GetMetricData); null where none was published. */
export interface DurabilityMetrics {
  /** `DurabilityLag` (ms): its maximum over the window, and its value at the fault. */
  durabilityLagMaxMs: number | null;
  durabilityLagAtFaultMs: number | null;
  /** `DurabilityBufferExceededErrorCount`: its sum over the window. */
  bufferExceededErrors: number | null;
  /** `TrafficManagementActive`: its maximum over the window (1: writes were throttled). */
  trafficManagementActiveMax: number | null;
}

/** Writes a durable primary rejected (a cluster-down reply): failed, never lost. Times from T0, else the start. */
export interface RejectedWrites {
  /** The probe's. */
  count: number;
  firstMs: number | null;
  lastMs: number | null;
  /** Each client profile's. */
  clients: { name: string; count: number; firstMs: number | null; lastMs: number | null }[];
}

export interface DurabilityReport {
  configured: string | null;
  effective: DurabilityMode | null;
  source: DurabilitySetting['source'];
  /** Null: the group is not durable, nothing was promised. */
  promise: DurabilityPromise | null;
  /** Null: nothing promised, or nothing verified to judge it by. */
  kept: boolean | null;
  /** What the promise is judged on: the probe's lost writes and data-loss window. */
  lostWrites: number;
  dataLossWindowMs: number;
  rejectedWrites: RejectedWrites;
  /** Acknowledged writes before the fault, with the mode beside them: what sync costs. */
  writeLatency: { mode: DurabilityMode | null } & Pick<LatencyPercentiles, 'count' | 'p50' | 'p99' | 'p999'>;
  /** CloudWatch's figures for the same window (null: not read, as in an observe-only run). */
  metrics: DurabilityMetrics | null;
}

export interface DurabilityInput {
  setting: DurabilitySetting;
  metrics?: DurabilityMetrics | null;
  /** GetMetricData's results for the window (the state machine's Task); read against the fault's time. */
  metricData?: readonly MetricDataResult[];
}

/** Whether the figures keep the promise; null when there is none or nothing was verified. */
export function keptOf(
  promise: DurabilityPromise | null,
  figures: { lost: number; dataLossWindowMs: number },
  verified: boolean,
): boolean | null {
  if (!promise || !verified) return null;
  if (promise.maxLostWrites !== null && figures.lost > promise.maxLostWrites) return false;
  if (promise.maxDataLossWindowMs !== null && figures.dataLossWindowMs > promise.maxDataLossWindowMs)
    return false;
  return true;
}

/** `summary`'s rejections, in ms from T0 (`t0EpochMs`) when there was one, else from the probe's start. */
function probeRejections(
  summary: WriterSummary | undefined,
  t0EpochMs: number | null,
): Omit<RejectedWrites, 'clients'> {
  const count = summary?.errors[REJECTED_KIND] ?? 0;
  const times = summary?.errorTimes?.[REJECTED_KIND];
  const offset = summary && t0EpochMs !== null ? summary.startedAtEpochMs - t0EpochMs : 0;
  const at = (ms: number | undefined) => (ms === undefined ? null : Math.round((ms + offset) * 10) / 10);
  return { count, firstMs: at(times?.firstMs), lastMs: at(times?.lastMs) };
}

export function durabilityOf(
  input: DurabilityInput | undefined,
  probe: Pick<ProbeFigures, 'writes' | 'dataLossWindow' | 'latency'>,
  summary: WriterSummary | undefined,
  clients: readonly Pick<ClientFigures, 'name' | 'errors'>[],
  verified: boolean,
  t0EpochMs: number | null,
): DurabilityReport | undefined {
  if (!input) return undefined;
  const { setting } = input;
  const promise = promiseOf(setting);
  const lostWrites = probe.writes.lost;
  const dataLossWindowMs = probe.dataLossWindow.ms;
  const { count, p50, p99, p999 } = probe.latency.before;
  return {
    configured: setting.configured,
    effective: setting.effective,
    source: setting.source,
    promise,
    kept: keptOf(promise, { lost: lostWrites, dataLossWindowMs }, verified),
    lostWrites,
    dataLossWindowMs,
    rejectedWrites: {
      ...probeRejections(summary, t0EpochMs),
      clients: clients.map((client) => {
        const seen = client.errors[REJECTED_KIND];
        return {
          name: client.name,
          count: seen?.count ?? 0,
          firstMs: seen?.firstMs ?? null,
          lastMs: seen?.lastMs ?? null,
        };
      }),
    },
    writeLatency: { mode: setting.effective, count, p50, p99, p999 },
    metrics: input.metrics ?? (input.metricData ? durabilityMetricsOf(input.metricData, t0EpochMs) : null),
  };
}

/** A broken promise as a violation: it names the mode and what was lost. */
export function durabilityViolationsOf(durability: DurabilityReport | undefined): Violation[] {
  if (durability?.kept !== false || !durability.promise) return [];
  const { promise, lostWrites, dataLossWindowMs } = durability;
  const lost =
    promise.mode === 'sync'
      ? `${lostWrites} acknowledged write${lostWrites === 1 ? '' : 's'} lost`
      : `data-loss window ${Math.round(dataLossWindowMs)} ms > ${promise.maxDataLossWindowMs} ms (${lostWrites} acknowledged writes lost)`;
  return [
    {
      threshold: 'durability',
      limit: promise.mode === 'sync' ? 0 : (promise.maxDataLossWindowMs ?? 0),
      actual: promise.mode === 'sync' ? lostWrites : dataLossWindowMs,
      message: `durability promise broken (${promise.text}): ${lost}`,
    },
  ];
}
