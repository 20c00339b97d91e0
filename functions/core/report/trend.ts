import type { PastDrill } from '../../shared/report-store.js';
import type { Verdict } from './report.js';

/** The newest measured drills a trend compares with. */
export const TREND_WINDOW = 20;
/** Fewer measured drills than this say nothing about a regression (`regression: null`). */
export const TREND_MIN_PREVIOUS = 3;
/** Downtime regresses above median × factor + slack (slack absorbs a local or fast failover's jitter). */
export const DOWNTIME_REGRESSION_FACTOR = 1.5;
export const DOWNTIME_REGRESSION_SLACK_MS = 250;

export const REGRESSION_RULE =
  `with at least ${TREND_MIN_PREVIOUS} previous measured drills (pass or fail) of the same node group, ` +
  `of the newest ${TREND_WINDOW}: a regression when more writes were lost than their median, or when ` +
  `downtime exceeds their median × ${DOWNTIME_REGRESSION_FACTOR} + ${DOWNTIME_REGRESSION_SLACK_MS} ms`;

/** How this drill compares with the previous drills of its target in the report store. */
export interface Trend {
  /** Previous measured drills compared with (errors and refusals measured nothing). */
  previous: number;
  downtimeMedianMs: number | null;
  lostMedian: number | null;
  /** null: too little history, or this drill measured nothing. Informational: it never changes the verdict. */
  regression: boolean | null;
  reasons: string[];
  rule: string;
  /** The compared drills, newest last. */
  history: { runId: string; at: number; verdict: Verdict; downtimeMs: number; lost: number }[];
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The trend of a drill (`current`) over its target's previous drills (any order; its own run excluded). */
export function trendOf(
  current: { runId: string | null; verdict: Verdict; downtimeMs: number; lost: number },
  past: PastDrill[],
): Trend {
  const measured = past
    .filter((e) => e.runId !== current.runId && e.verdict !== 'error')
    .sort((a, b) => a.at - b.at)
    .slice(-TREND_WINDOW);
  const downtimeMedianMs = median(measured.map((e) => e.downtimeMs));
  const lostMedian = median(measured.map((e) => e.lost));
  const reasons: string[] = [];
  let regression: boolean | null = null;
  if (current.verdict !== 'error' && measured.length >= TREND_MIN_PREVIOUS) {
    if (current.lost > lostMedian!) reasons.push(`lost ${current.lost} writes, median ${lostMedian}`);
    const bound = downtimeMedianMs! * DOWNTIME_REGRESSION_FACTOR + DOWNTIME_REGRESSION_SLACK_MS;
    if (current.downtimeMs > bound) {
      reasons.push(
        `downtime ${Math.round(current.downtimeMs)} ms over ${Math.round(bound)} ms (median ${Math.round(downtimeMedianMs!)} ms)`,
      );
    }
    regression = reasons.length > 0;
  }
  return {
    previous: measured.length,
    downtimeMedianMs,
    lostMedian,
    regression,
    reasons,
    rule: REGRESSION_RULE,
    history: measured.map((e) => ({
      runId: e.runId,
      at: e.at,
      verdict: e.verdict,
      downtimeMs: e.downtimeMs,
      lost: e.lost,
    })),
  };
}
