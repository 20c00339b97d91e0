/**
 * The writes a report says were acknowledged inside its own data-loss window, from its timeline: the lower
 * bound of `writes.lost` behind a delay line, whatever rate a loaded machine let the writer keep.
 */
import type { Report } from '../../functions/core/report/report.js';

/**
 * Every write acknowledged between the first lost one and the crash was still in the line (it delivers in
 * order), so each write that started in a timeline bucket wholly inside the window, and was acknowledged,
 * is lost. The probe neither queues nor resends a write, so none of those was acknowledged by the new primary.
 */
export function acknowledgedInsideLossWindow(report: Pick<Report, 'timeline' | 'dataLossWindow'>): number {
  const { firstLostAckMs: first, lastLostAckMs: last } = report.dataLossWindow;
  const timeline = report.timeline;
  if (first === null || last === null || !timeline) return 0;
  return timeline.ok.reduce((sum, ok, i) => {
    const startMs = timeline.startMs + i * timeline.bucketMs;
    return startMs >= first && startMs + timeline.bucketMs <= last ? sum + ok : sum;
  }, 0);
}
