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
  /** Where the true outage must lie, from what the writes prove; null without a non-ok write. */
  bounds: DowntimeBounds | null;
}

/**
 * The interval the true outage lies in, from causality alone: an acknowledged write's request passed
 * before the outage began, a write that timed out or that the server refused met the fault after it
 * started, and the first ok after it passed once the outage was over. Writer ms; `ms` above is `maxMs` minus the last ok's latency.
 */
export interface DowntimeBounds {
  /** The outage began in [from, to]: the last ok's start, the first non-ok's completion. */
  start: { from: number | null; to: number };
  /** It ended in [from, to]: the last start of a write the fault answered or swallowed, the first ok's completion (null: never). */
  end: { from: number; to: number | null };
  /** It lasted at least this… */
  minMs: number;
  /** …and at most this (null when open at either end). */
  maxMs: number | null;
}

export function downtimeOf(summary: WriterSummary): Downtime {
  const marks = summary.disruption;
  const longestOkGapMs = summary.longestOkGapMs;
  if (!marks || marks.firstNonOkMs === null) {
    return { ms: 0, startMs: null, endMs: null, complete: true, longestOkGapMs, bounds: null };
  }
  const start = marks.startMs ?? 0;
  const end = marks.endMs ?? summary.durationMs;
  return {
    ms: round(end - start),
    startMs: marks.startMs,
    endMs: marks.endMs,
    complete: marks.startMs !== null && marks.endMs !== null,
    longestOkGapMs,
    bounds: boundsOf(marks),
  };
}

function boundsOf(marks: NonNullable<WriterSummary['disruption']>): DowntimeBounds {
  const startFrom = marks.lastOkStartMs ?? null;
  const startTo = marks.firstNonOkMs!;
  // Without a sent non-ok write the outage may have been instantaneous: it ended no earlier than it began.
  const endFrom = Math.max(marks.lastFaultSeenStartMs ?? Number.NEGATIVE_INFINITY, startFrom ?? 0);
  const endTo = marks.endMs;
  return {
    start: { from: startFrom, to: startTo },
    end: { from: endFrom, to: endTo },
    minMs: round(Math.max(0, endFrom - startTo)),
    maxMs: endTo === null || startFrom === null ? null : round(endTo - startFrom),
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
