/** The gate: thresholds (one schema for the CLI, the state machine input and the report) and violations. */
import { z } from 'zod';

export const thresholdsSchema = z.strictObject({
  /** Longest acceptable write downtime (ms); unset = not judged. */
  maxDowntimeMs: z.number().min(0).optional(),
  /** Acknowledged writes that may be lost. */
  maxLostWrites: z.number().int().min(0).default(0),
  /** Longest acceptable data-loss window (ms); unset = not judged. */
  maxDataLossWindowMs: z.number().min(0).optional(),
  /** Keys present that no write explains (corruption, a stray writer). */
  maxUnexpectedWrites: z.number().int().min(0).default(0),
  /** Longest acceptable time from T0 (or the disruption) to a new primary (ms); unset = not judged. */
  maxTimeToPromoteMs: z.number().min(0).optional(),
  /** Fail when no disruption was observed at all (a drill whose fault never showed). */
  requireDisruption: z.boolean().default(false),
});

export type Thresholds = z.output<typeof thresholdsSchema>;
export type ThresholdsInput = z.input<typeof thresholdsSchema>;

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
