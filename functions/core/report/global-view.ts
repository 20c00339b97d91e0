/**
 * The region failover checker: report.global from the RegionFailover step's output (the fault branch's),
 * and its violations of the three cross-region thresholds. Pure.
 */
import { type GlobalReport, globalViolations } from '../measure/global-figures.js';
import type { Thresholds } from '../measure/thresholds.js';
import type { Violation } from './violations.js';

/** report.global: the measured failover, and with failBack the one back to the original region. */
export type GlobalView = GlobalReport & { failBack?: GlobalReport };

/** The RegionFailover step's report in the fault branch's output, when it returned one. */
export function globalViewOf(branch: unknown): GlobalView | undefined {
  return (branch as { global?: { report?: GlobalView } } | undefined)?.global?.report;
}

const SAYS = {
  maxCrossRegionLostWrites: (actual: number | null, limit: number, leg: string) =>
    `${actual} acknowledged writes lost across regions${leg} (max ${limit})`,
  maxCrossRegionDataLossWindowMs: (actual: number | null, limit: number, leg: string) =>
    `cross-region data-loss window ${actual} ms${leg} (max ${limit} ms)`,
  maxRegionFailoverMs: (actual: number | null, limit: number, leg: string) =>
    actual === null
      ? `no write acknowledged in the promoted region${leg} (max ${limit} ms)`
      : `region failover ${actual} ms to the first acknowledged write${leg} (max ${limit} ms)`,
};

/** Every cross-region threshold exceeded, by the failover and by the failback. */
export function globalViolationsOf(view: GlobalView | undefined, thresholds: Thresholds): Violation[] {
  if (!view) return [];
  const legs: [GlobalReport, string][] = [[view, '']];
  if (view.failBack) legs.push([view.failBack, ' on the failback']);
  return legs.flatMap(([report, leg]) =>
    globalViolations(report, thresholds).map(({ threshold, limit, actual }) => ({
      threshold,
      limit,
      actual,
      message: SAYS[threshold](actual, limit, leg),
    })),
  );
}
