/**
 * A report's timeline read as buckets, and the writes it says were acknowledged inside its own data-loss
 * window: the lower bound of `writes.lost` behind a delay line, whatever rate a loaded machine let the
 * writer keep.
 */
import type { ReportTimeline } from '../../functions/core/report/chart-data.js';
import type { Report } from '../../functions/core/report/report.js';

/** Each bucket's [start, end) in writer ms, with its counts (writes by their start). */
export function bucketsOf(timeline: ReportTimeline) {
  return timeline.ok.map((ok, i) => {
    const startMs = timeline.startMs + i * timeline.bucketMs;
    return {
      startMs,
      endMs: startMs + timeline.bucketMs,
      ok,
      fail: timeline.fail[i]!,
      info: timeline.info[i]!,
    };
  });
}

/**
 * Every write acknowledged between the first lost one and the crash was still in the line (it delivers in
 * order), so each write that started in a timeline bucket wholly inside the window, and was acknowledged,
 * is lost. The probe neither queues nor resends a write, so none of those was acknowledged by the new primary.
 */
export function acknowledgedInsideLossWindow(report: Pick<Report, 'timeline' | 'dataLossWindow'>): number {
  const { firstLostAckMs: first, lastLostAckMs: last } = report.dataLossWindow;
  const timeline = report.timeline;
  if (first === null || last === null || !timeline) return 0;
  return bucketsOf(timeline)
    .filter((b) => b.startMs >= first && b.endMs <= last)
    .reduce((sum, b) => sum + b.ok, 0);
}
