/** The gate: which thresholds a run's figures exceed. */
import type { Thresholds } from '../measure/thresholds.js';

export interface Figures {
  downtimeMs: number;
  lost: number;
  dataLossWindowMs: number;
  unexpected: number;
  timeToPromoteMs: number | null;
  disruptionObserved: boolean;
}

export interface Violation {
  threshold: keyof Thresholds;
  limit: number | boolean;
  actual: number | boolean | null;
  message: string;
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
