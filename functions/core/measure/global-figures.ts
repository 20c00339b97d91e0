/**
 * A region failover's figures (report.global), from the cross-region probe's writes and a read-back of
 * the new primary region: the cross-region RPO (acknowledged in the old primary region, absent in the new
 * one after promotion) with the window the lost writes span, the RTO to the first write acknowledged in
 * the new primary region, and the replication lag at the request beside CloudWatch's metric. Pure.
 */

import type { Outcome } from './outcomes.js';
import type { RegionTimeline } from './region-timelines.js';

/** One write of the cross-region probe: where it went and when (epoch ms), and its outcome. */
export interface CrossRegionWrite {
  seq: number;
  region: string;
  startEpochMs: number;
  endEpochMs: number;
  outcome: Outcome;
  /** The error's kind (READONLY, NOT_CONNECTED, …) when not ok. */
  kind?: string;
}

export interface GlobalFiguresInput {
  globalReplicationGroupId: string;
  beforePrimaryRegion: string;
  afterPrimaryRegion: string;
  /** FailoverGlobalReplicationGroup called (epoch ms). */
  requestedAtEpochMs: number;
  /** DescribeGlobalReplicationGroups first showed the roles swapped and every member associated. */
  rolesSwappedAtEpochMs?: number;
  writes: readonly CrossRegionWrite[];
  /** The sequences read back from the new primary region (present after promotion). */
  present: ReadonlySet<number>;
  /** The drill's own measure of the lag at the request (ms), when it sampled one. */
  lagMeasuredMs?: number;
  /** CloudWatch's GlobalDatastoreReplicationLag at the request, in ms (null when not published). */
  lagMetricMs?: number | null;
}

export interface GlobalReport {
  globalReplicationGroupId: string;
  before: { primaryRegion: string };
  after: { primaryRegion: string };
  rpo: {
    /** Acknowledged in the old primary region, absent in the new primary region. */
    lost: number;
    /** Acknowledgement of the last lost write − of the first (0 when nothing is lost). */
    dataLossWindowMs: number;
    /** What the window can be, given each write's time in flight: [shortest, longest]. */
    bounds: { minMs: number; maxMs: number };
    /** The lost sequences' age at the request: the youngest and the oldest (ms; null when none). */
    ageAtRequestMs: { min: number | null; max: number | null };
  };
  rto: {
    /** The request → the first write acknowledged in the new primary region (null when none was). */
    firstWriteOkMs: number | null;
    /** The request → the roles seen swapped (null when never seen). */
    rolesSwappedMs: number | null;
  };
  crossRegionLagMs: { measured: number | null; metric: number | null };
  /** Both regions' writes by outcome over time, for the charts (set by the RegionFailover step). */
  timeline?: RegionTimeline;
}

/** The acknowledged writes of the old primary region that the new primary region does not hold. */
export function lostWrites(
  writes: readonly CrossRegionWrite[],
  beforePrimaryRegion: string,
  present: ReadonlySet<number>,
): CrossRegionWrite[] {
  return writes.filter((w) => w.region === beforePrimaryRegion && w.outcome === 'ok' && !present.has(w.seq));
}

export function globalFigures(input: GlobalFiguresInput): GlobalReport {
  const lost = lostWrites(input.writes, input.beforePrimaryRegion, input.present).sort(
    (a, b) => a.endEpochMs - b.endEpochMs,
  );
  const first = lost[0];
  const last = lost.at(-1);
  const firstOk = input.writes
    .filter(
      (w) =>
        w.region === input.afterPrimaryRegion &&
        w.outcome === 'ok' &&
        w.endEpochMs >= input.requestedAtEpochMs,
    )
    .reduce<number | undefined>(
      (min, w) => (min === undefined || w.endEpochMs < min ? w.endEpochMs : min),
      undefined,
    );
  const since = (at: number | undefined) => (at === undefined ? null : at - input.requestedAtEpochMs);
  return {
    globalReplicationGroupId: input.globalReplicationGroupId,
    before: { primaryRegion: input.beforePrimaryRegion },
    after: { primaryRegion: input.afterPrimaryRegion },
    rpo: {
      lost: lost.length,
      dataLossWindowMs: first && last ? last.endEpochMs - first.endEpochMs : 0,
      bounds:
        first && last
          ? {
              minMs: Math.max(0, last.startEpochMs - first.endEpochMs),
              maxMs: last.endEpochMs - first.startEpochMs,
            }
          : { minMs: 0, maxMs: 0 },
      ageAtRequestMs: {
        min: last ? input.requestedAtEpochMs - last.endEpochMs : null,
        max: first ? input.requestedAtEpochMs - first.endEpochMs : null,
      },
    },
    rto: { firstWriteOkMs: since(firstOk), rolesSwappedMs: since(input.rolesSwappedAtEpochMs) },
    crossRegionLagMs: { measured: input.lagMeasuredMs ?? null, metric: input.lagMetricMs ?? null },
  };
}

/** The region failover's thresholds; each absent one is not judged. */
export interface GlobalThresholds {
  maxCrossRegionLostWrites?: number;
  maxCrossRegionDataLossWindowMs?: number;
  /** The request → the first write acknowledged in the new primary region. */
  maxRegionFailoverMs?: number;
}

/** Each threshold exceeded, as `{ threshold, limit, actual }`; a failover with no write ok exceeds the RTO. */
export function globalViolations(
  report: GlobalReport,
  thresholds: GlobalThresholds,
): { threshold: keyof GlobalThresholds; limit: number; actual: number | null }[] {
  const figures: [keyof GlobalThresholds, number | null][] = [
    ['maxCrossRegionLostWrites', report.rpo.lost],
    ['maxCrossRegionDataLossWindowMs', report.rpo.dataLossWindowMs],
    ['maxRegionFailoverMs', report.rto.firstWriteOkMs],
  ];
  return figures.flatMap(([threshold, actual]) => {
    const limit = thresholds[threshold];
    if (limit === undefined || (actual !== null && actual <= limit)) return [];
    return [{ threshold, limit, actual }];
  });
}
