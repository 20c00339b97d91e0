/**
 * The region failover's timeline: the cross-region probe's writes bucketed by outcome, one lane per region,
 * on one time axis (the probe's first write), for the report's charts. Pure.
 */
import type { CrossRegionWrite } from './global-figures.js';
import { type EncodedTimeline, TimelineRecorder } from './timeline.js';

/** One region's writes: its buckets from the probe's start (shared by every region's lane). */
export interface RegionLane {
  region: string;
  startedAtEpochMs: number;
  timeline: EncodedTimeline;
}

export interface RegionTimeline {
  /** FailoverGlobalReplicationGroup requested (epoch ms): the chart's marker. */
  requestedAtEpochMs: number;
  /** In the order the probe wrote to them: the old primary region first. */
  lanes: RegionLane[];
}

export function regionTimeline(
  writes: readonly CrossRegionWrite[],
  requestedAtEpochMs: number,
): RegionTimeline {
  // The probe writes one at a time, in order: its first write starts the axis.
  const startedAtEpochMs = Math.min(requestedAtEpochMs, writes[0]?.startEpochMs ?? requestedAtEpochMs);
  const recorders = new Map<string, TimelineRecorder>();
  for (const w of writes) {
    const recorder = recorders.get(w.region) ?? new TimelineRecorder();
    recorders.set(w.region, recorder);
    recorder.record(w.startEpochMs - startedAtEpochMs, w.outcome, w.endEpochMs - w.startEpochMs);
  }
  return {
    requestedAtEpochMs,
    lanes: [...recorders].map(([region, recorder]) => ({
      region,
      startedAtEpochMs,
      timeline: recorder.encode(),
    })),
  };
}
