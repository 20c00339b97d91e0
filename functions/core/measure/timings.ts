/** The figures derived from times: downtime, the data-loss window, and the lost writes' ages. */
import { type SeqRange, seqsOf } from './ranges.js';
import type { WriterSummary } from './summary.js';

export interface Downtime {
  /** endMs − startMs; to the end of the run when writes never came back; 0 without a disruption. */
  ms: number;
  /** Completion of the last ok before the first non-ok (writer ms; null: nothing had succeeded). */
  startMs: number | null;
  /** Completion of the first ok after the last non-ok (writer ms; null: writes never came back). */
  endMs: number | null;
  /** False when the window is open at one end: `ms` is then a lower bound. */
  complete: boolean;
  /** Longest time between two consecutive acknowledgements over the whole run. */
  longestOkGapMs: number;
}

export function downtimeOf(summary: WriterSummary): Downtime {
  const marks = summary.disruption;
  const longestOkGapMs = summary.longestOkGapMs;
  if (!marks || marks.firstNonOkMs === null) {
    return { ms: 0, startMs: null, endMs: null, complete: true, longestOkGapMs };
  }
  const start = marks.startMs ?? 0;
  const end = marks.endMs ?? summary.durationMs;
  return {
    ms: round(end - start),
    startMs: marks.startMs,
    endMs: marks.endMs,
    complete: marks.startMs !== null && marks.endMs !== null,
    longestOkGapMs,
  };
}

export interface LostWrite {
  seq: number;
  /** Writer ms of the acknowledgement. */
  ackMs: number;
  /** Promotion (first sample showing a new primary) minus acknowledgement; null without a promotion. */
  ageAtPromotionMs: number | null;
}

export const LOST_WRITES_LISTED = 100;

export interface DataLossWindow {
  /** Acknowledgement of the last lost write minus of the first (0 when nothing is lost). */
  ms: number;
  firstLostAckMs: number | null;
  lastLostAckMs: number | null;
  /** Lost writes whose acknowledgement time the writer kept; the window covers only those. */
  dated: number;
  undated: number;
  maxAgeAtPromotionMs: number | null;
  minAgeAtPromotionMs: number | null;
  /** The first lost writes (bounded), with their ages. */
  lostWrites: LostWrite[];
}

export function dataLossWindowOf(
  lostRanges: readonly SeqRange[],
  ackTimes: ReadonlyMap<number, number>,
  promotedAtMs: number | null,
): DataLossWindow {
  let first: number | null = null;
  let last: number | null = null;
  let dated = 0;
  let undated = 0;
  const lostWrites: LostWrite[] = [];
  for (const seq of seqsOf(lostRanges)) {
    const ackMs = ackTimes.get(seq);
    if (ackMs === undefined) {
      undated++;
      continue;
    }
    dated++;
    first = first === null ? ackMs : Math.min(first, ackMs);
    last = last === null ? ackMs : Math.max(last, ackMs);
    if (lostWrites.length < LOST_WRITES_LISTED)
      lostWrites.push({
        seq,
        ackMs,
        ageAtPromotionMs: promotedAtMs === null ? null : round(promotedAtMs - ackMs),
      });
  }
  const age = (ackMs: number | null): number | null =>
    ackMs === null || promotedAtMs === null ? null : round(promotedAtMs - ackMs);
  return {
    ms: first === null || last === null ? 0 : round(last - first),
    firstLostAckMs: first,
    lastLostAckMs: last,
    dated,
    undated,
    maxAgeAtPromotionMs: age(first),
    minAgeAtPromotionMs: age(last),
    lostWrites,
  };
}

export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
