/**
 * The charts-data checker: what the report's charts draw, cut from the writers' timelines. The probe's
 * lane is the disruption ± 5 s; a client profile's or shard writer's lane is its whole run, on the
 * probe's time axis. Pure: plain data in, plain data out (`charts.ts` turns it into specs).
 */
import type { Change } from '../drill/change.js';
import type { ProfileRun } from '../measure/clients/run.js';
import type { WriteSample } from '../measure/sample.js';
import type { WriterSummary } from '../measure/summary.js';
import { decodeTimeline, type EncodedTimeline, type Timeline } from '../measure/timeline.js';
import { round } from '../measure/timings.js';

export interface ReportTimeline extends Timeline {
  /** Writer ms of the first bucket's start (the report shows the disruption ± 5 s). */
  startMs: number;
  startEpochMs: number | null;
}

export interface ChartData {
  timeline: ReportTimeline | null;
  /** Single writes around the disruption, encoded (`decodeWriteSample`): the latency chart's marks. */
  writeSample: WriteSample | null;
  /** A planned change on the probe's time axis, beside the writes (absent for other faults). */
  changeTimeline?: ChangeTimeline;
}

/** A planned change's moments in probe ms: its request, AWS's progress readings, the reading that found it applied. */
export interface ChangeTimeline {
  source: string;
  requestedMs: number;
  progress: { atMs: number; percent: number }[];
  /** null: never found applied. */
  finishedMs: number | null;
}

const TIMELINE_MARGIN_MS = 5000;
const TIMELINE_MAX_BUCKETS = 1200;

/** The probe's lane and its single writes; nothing without a summary. A planned change beside them. */
export function chartDataOf(
  summary: WriterSummary | undefined,
  change?: { change: Change; t0EpochMs: number | null },
): ChartData {
  const changeTimeline =
    summary && change?.change && change.t0EpochMs !== null
      ? changeTimelineOf(change.change, change.t0EpochMs, summary.startedAtEpochMs)
      : undefined;
  return {
    timeline: summary ? probeTimelineOf(summary) : null,
    writeSample: summary?.writeSample ?? null,
    ...(changeTimeline ? { changeTimeline } : {}),
  };
}

/**
 * A change's epoch-ms moments (drill/change.ts) on the probe's axis, which starts at its first write.
 * T0 is the change's request.
 */
export function changeTimelineOf(
  change: Change,
  t0EpochMs: number,
  probeStartedAtEpochMs: number,
): ChangeTimeline {
  const on = (epochMs: number) => round(epochMs - probeStartedAtEpochMs);
  return {
    source: change.source,
    requestedMs: on(t0EpochMs),
    progress: change.progress.map((p) => ({ atMs: on(p.at), percent: p.percent })),
    finishedMs: change.finishedAt === undefined ? null : on(change.finishedAt),
  };
}

/** The disruption ± 5 s at the summary's resolution (the whole run without one), at most 1200 buckets. */
export function probeTimelineOf(summary: WriterSummary): ReportTimeline {
  const marks = summary.disruption;
  const window = marks
    ? {
        startMs: (marks.startMs ?? marks.seenAtMs) - TIMELINE_MARGIN_MS,
        endMs: (marks.endMs ?? marks.lastNonOkMs ?? summary.durationMs) + TIMELINE_MARGIN_MS,
      }
    : null;
  return timelineOf(summary.timeline, summary.startedAtEpochMs, window, 0);
}

/**
 * A client profile's or shard writer's lane: its whole run (so that its buckets add up to its totals),
 * at most 1200 buckets, on the probe's time axis (`offsetMs`: the writer's start in probe ms).
 */
export function laneTimelineOf(
  run: Pick<ProfileRun, 'timeline' | 'startedAtEpochMs'>,
  probeStartedAtEpochMs: number | null,
): ReportTimeline | null {
  if (!run.timeline) return null;
  const offsetMs = probeStartedAtEpochMs === null ? 0 : run.startedAtEpochMs - probeStartedAtEpochMs;
  return timelineOf(run.timeline, run.startedAtEpochMs, null, round(offsetMs));
}

/** `window` in the writer's own ms (null: all of it); `offsetMs` moves it onto the report's axis. */
function timelineOf(
  encoded: EncodedTimeline,
  startedAtEpochMs: number,
  window: { startMs: number; endMs: number } | null,
  offsetMs: number,
): ReportTimeline {
  const full = decodeTimeline(encoded);
  const size = full.ok.length;
  const from = window ? Math.max(0, Math.floor(window.startMs / full.bucketMs)) : 0;
  const to = window ? Math.min(size, Math.ceil(window.endMs / full.bucketMs)) : size;
  const factor = Math.max(1, Math.ceil((to - from) / TIMELINE_MAX_BUCKETS));
  const timeline: ReportTimeline = {
    bucketMs: full.bucketMs * factor,
    startMs: offsetMs + from * full.bucketMs,
    startEpochMs: round(startedAtEpochMs + from * full.bucketMs),
    ok: [],
    fail: [],
    info: [],
    maxLatencyMs: [],
  };
  for (let b = from; b < to; b += factor) {
    const slice = (column: number[]) => column.slice(b, Math.min(to, b + factor));
    const sum = (values: number[]) => values.reduce((a, v) => a + v, 0);
    timeline.ok.push(sum(slice(full.ok)));
    timeline.fail.push(sum(slice(full.fail)));
    timeline.info.push(sum(slice(full.info)));
    timeline.maxLatencyMs.push(Math.max(0, ...slice(full.maxLatencyMs)));
  }
  return timeline;
}
