/** The gate, the violations checker: which thresholds a run's figures exceed. */
import type { ClientFigures } from '../measure/clients/figures.js';
import { nonOkOf } from '../measure/counts.js';
import type { ClientThresholds, Thresholds } from '../measure/thresholds.js';
import type { ProbeFigures } from './probe-figures.js';

export interface Figures {
  downtimeMs: number;
  lost: number;
  dataLossWindowMs: number;
  unexpected: number;
  timeToPromoteMs: number | null;
  disruptionObserved: boolean;
}

export interface Violation {
  /** A threshold, or `durability`: a durable group broke its promise, whatever the thresholds say. */
  threshold: keyof Thresholds | 'durability';
  limit: number | boolean;
  actual: number | boolean | null;
  message: string;
  /** A client profile's threshold (`threshold` is then 'clients'): which profile, which of its limits. */
  client?: string;
  clientThreshold?: keyof ClientThresholds;
}

/** The probe's figures the gate reads. */
export type JudgedFigures = Pick<
  ProbeFigures,
  'downtime' | 'writes' | 'dataLossWindow' | 'failover' | 'disruption'
>;

/**
 * The report's violations: the probe's, then each profile's. `probe` null (a run not written, or not
 * verified) judges nothing: such a report's verdict is `error`.
 */
export function reportViolationsOf(
  probe: JudgedFigures | null,
  clients: readonly ClientFigures[],
  thresholds: Thresholds,
): Violation[] {
  if (!probe) return [];
  const figures: Figures = {
    downtimeMs: probe.downtime.ms,
    lost: probe.writes.lost,
    dataLossWindowMs: probe.dataLossWindow.ms,
    unexpected: probe.writes.unexpected,
    timeToPromoteMs: probe.failover.timeToPromoteMs,
    disruptionObserved: probe.disruption.observed,
  };
  return [...violationsOf(figures, thresholds), ...clientViolationsOf(clients, thresholds)];
}

export function violationsOf(figures: Figures, thresholds: Thresholds): Violation[] {
  const violations: Violation[] = [];
  const over = (
    threshold: keyof Thresholds,
    limit: number | undefined,
    actual: number | null,
    what: string,
  ) => {
    if (limit !== undefined && actual !== null && actual > limit)
      violations.push({ threshold, limit, actual, message: `${what} ${actual} > ${limit}` });
  };
  over('maxDowntimeMs', thresholds.maxDowntimeMs, figures.downtimeMs, 'downtime ms');
  over('maxLostWrites', thresholds.maxLostWrites, figures.lost, 'lost writes');
  over(
    'maxDataLossWindowMs',
    thresholds.maxDataLossWindowMs,
    figures.dataLossWindowMs,
    'data-loss window ms',
  );
  over('maxUnexpectedWrites', thresholds.maxUnexpectedWrites, figures.unexpected, 'unexpected writes');
  over('maxTimeToPromoteMs', thresholds.maxTimeToPromoteMs, figures.timeToPromoteMs, 'time to promote ms');
  if (thresholds.requireDisruption && !figures.disruptionObserved)
    violations.push({
      threshold: 'requireDisruption',
      limit: true,
      actual: false,
      message: 'no disruption was observed',
    });
  return violations;
}

/** Each profile against each of `thresholds.clients`; a profile that never ran fails every one. */
export function clientViolationsOf(clients: readonly ClientFigures[], thresholds: Thresholds): Violation[] {
  const limits = thresholds.clients;
  if (!limits) return [];
  const violations: Violation[] = [];
  for (const client of clients) {
    const actuals: Record<keyof ClientThresholds, [number | null, string]> = {
      maxDowntimeMs: [client.downtime.ms, 'downtime ms'],
      maxFailedWrites: [client.writes.failed, 'failed writes'],
      maxNonOkWrites: [nonOkOf(client.writes), 'non-ok writes'],
      maxLostWrites: [client.writes.lost, 'lost writes'],
      maxDuplicatedWrites: [client.writes.duplicated, 'duplicated writes'],
      maxP99LatencyMs: [client.latency.p99, 'p99 latency ms'],
      maxLatencyMs: [client.latency.max, 'max latency ms'],
    };
    for (const name of Object.keys(actuals) as (keyof ClientThresholds)[]) {
      const limit = limits[name];
      if (limit === undefined) continue;
      const [actual, what] = actuals[name];
      const base = { threshold: 'clients' as const, limit, client: client.name, clientThreshold: name };
      if (client.error || !client.verified)
        violations.push({
          ...base,
          actual: null,
          message: `client ${client.name}: not judged, ${client.error ? `it did not run (${client.error.name})` : 'not verified'}`,
        });
      else if (actual !== null && actual > limit)
        violations.push({ ...base, actual, message: `client ${client.name}: ${what} ${actual} > ${limit}` });
    }
  }
  return violations;
}
