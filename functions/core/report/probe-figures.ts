/**
 * The figures checker: what the probe measured, from its summary, its read-back and the control plane's
 * failover events — the write counts, the downtime, the data-loss window, the failover's timings, the
 * latency and the run's own facts. Pure: plain data in, plain data out.
 */
import type { ReadBackCounts, SentCounts, WriteCounts } from '../measure/counts.js';
import { decodeHistogram, type LatencyPercentiles, percentilesOf } from '../measure/latency.js';
import type { SeqRange } from '../measure/ranges.js';
import type { ReplicaLag, WriterSummary } from '../measure/summary.js';
import {
  type DataLossWindow,
  type Downtime,
  dataLossWindowOf,
  downtimeOf,
  round,
} from '../measure/timings.js';
import type { Verification } from '../measure/verify.js';
import { probePrecisionOf, type ReportPrecision, withPrecision } from './precision.js';

export interface FailoverEvent {
  /** requested = T0 (TestFailover called); completed = "Failover … completed"; recoveryFinished = "Finished recovery". */
  kind: 'requested' | 'completed' | 'recovering' | 'recoveryFinished' | 'other';
  atEpochMs: number;
  message?: string;
}

export interface FailoverInput {
  triggered: boolean;
  /** Node ids from the control plane; default: the data plane's identities. */
  from?: string;
  to?: string;
  events?: FailoverEvent[];
}

/** The probe's counts (counts.ts); `skipped`: scheduled slots not attempted, all concurrency slots busy. */
export type ProbeWriteCounts = SentCounts &
  ReadBackCounts &
  Pick<WriteCounts, 'unexpected' | 'skipped' | 'baselineNonOk'> & {
    /** Acknowledged writes the best replica lacked at the disruption (replicaLag); null: not measured. */
    predictedLost: number | null;
  };

export interface FailoverFigures {
  from: string | null;
  to: string | null;
  /** What the relative times below count from: T0 (TestFailover requested) or the disruption's start. */
  reference: 'T0' | 'disruptionStart' | null;
  referenceEpochMs: number | null;
  events: (FailoverEvent & { atMs: number | null })[];
  timeToPromoteMs: number | null;
  timeToFirstSuccessfulWriteMs: number | null;
  timeToFullRecoveryMs: number | null;
  /** Bytes on the primary not yet on its best replica, sampled last before the disruption. */
  replicationLagBytes: number | null;
  /** The best replica's view of the writer's own sequence, sampled last before the disruption. */
  replicationLag: ReplicaLag | null;
}

export interface RunFacts {
  startedAtEpochMs: number | null;
  durationMs: number | null;
  stopReason: WriterSummary['stopReason'] | null;
  rate: number | null;
  concurrency: number | null;
  keyBase: string | null;
  verifiedFrom: string | null;
}

export interface ProbeFigures {
  runId: string | null;
  endpoint: string | null;
  failoverTriggered: boolean;
  disruption: { observed: boolean; cause: 'errors' | 'identity' | null; note: string };
  writes: ProbeWriteCounts;
  /** Non-ok outcomes by kind (READONLY, MOVED, TIMEOUT, CONNECTION_LOST, NOT_CONNECTED, …). */
  errors: Record<string, number>;
  downtime: Downtime;
  /** The probe's own timing precision; its bounds' widening is in `downtime.bounds` (null: not measured). */
  probe: { precision: ReportPrecision | null };
  dataLossWindow: DataLossWindow;
  failover: FailoverFigures;
  latency: { before: LatencyPercentiles; during: LatencyPercentiles; after: LatencyPercentiles };
  lostRanges: SeqRange[];
  failedButPresentRanges: SeqRange[];
  unexpectedSamples: string[];
  run: RunFacts;
}

/** Ranges listed in the report at most (the counts are always exact). */
const RANGES_LISTED = 1000;

const EMPTY_LATENCY: LatencyPercentiles = {
  count: 0,
  p50: null,
  p95: null,
  p99: null,
  p999: null,
  max: null,
};

/** TestFailover requested (epoch ms), the time the profiles' and shards' figures count from. */
export function t0EpochMsOf(failover: FailoverInput | undefined): number | null {
  return failover?.events?.find((event) => event.kind === 'requested')?.atEpochMs ?? null;
}

export function probeFiguresOf(
  summary: WriterSummary | undefined,
  verification: Verification | undefined,
  failoverInput: FailoverInput | undefined,
): ProbeFigures {
  const precision = probePrecisionOf(summary);
  const downtime: Downtime = summary
    ? withPrecision(downtimeOf(summary), precision)
    : { ms: 0, startMs: null, endMs: null, complete: false, longestOkGapMs: 0, bounds: null };
  return {
    runId: summary?.runId ?? null,
    endpoint: summary?.endpoint ?? null,
    failoverTriggered: failoverInput?.triggered ?? false,
    disruption: {
      observed: summary?.disruption != null,
      cause: summary?.disruption?.cause ?? null,
      note: disruptionNote(summary),
    },
    writes: probeWritesOf(summary, verification),
    errors: summary?.errors ?? {},
    downtime,
    probe: { precision },
    dataLossWindow: verification?.dataLossWindow ?? dataLossWindowOf([], new Map(), null),
    failover: failoverOf(summary, failoverInput, downtime),
    latency: summary
      ? {
          before: percentilesOf(decodeHistogram(summary.latency.before)),
          during: percentilesOf(decodeHistogram(summary.latency.during)),
          after: percentilesOf(decodeHistogram(summary.latency.after)),
        }
      : { before: EMPTY_LATENCY, during: EMPTY_LATENCY, after: EMPTY_LATENCY },
    lostRanges: verification?.lostRanges.slice(0, RANGES_LISTED) ?? [],
    failedButPresentRanges: verification?.failedButPresentRanges.slice(0, RANGES_LISTED) ?? [],
    unexpectedSamples: verification?.unexpectedDetail.samples ?? [],
    run: {
      startedAtEpochMs: summary?.startedAtEpochMs ?? null,
      durationMs: summary?.durationMs ?? null,
      stopReason: summary?.stopReason ?? null,
      rate: summary?.rate ?? null,
      concurrency: summary?.concurrency ?? null,
      keyBase: summary?.keyBase ?? null,
      verifiedFrom: verification?.readFrom.id ?? null,
    },
  };
}

/** What the writer counted, and what the read-back found; 0 for what did not happen. */
function probeWritesOf(
  summary: WriterSummary | undefined,
  verification: Verification | undefined,
): ProbeWriteCounts {
  return {
    attempted: summary?.attempted ?? 0,
    acknowledged: summary?.acknowledged ?? 0,
    failed: summary?.failed ?? 0,
    indeterminate: summary?.indeterminate ?? 0,
    lost: verification?.lost ?? 0,
    recovered: verification?.recovered ?? 0,
    unexpected: verification?.unexpected ?? 0,
    indeterminateAbsent: verification?.indeterminateAbsent ?? 0,
    failedButPresent: verification?.failedButPresent ?? 0,
    skipped: summary?.skipped ?? 0,
    baselineNonOk: summary?.baselineNonOk ?? 0,
    predictedLost: summary?.replicaLag?.predictedLost ?? null,
  };
}

function disruptionNote(summary: WriterSummary | undefined): string {
  if (!summary) return 'no writes were made';
  const marks = summary.disruption;
  if (!marks) {
    return `no disruption was observed in ${Math.round(summary.durationMs)} ms (stopped: ${summary.stopReason}); the figures describe an undisturbed run`;
  }
  const how = marks.cause === 'errors' ? 'failed writes' : 'a change of primary';
  const end = summary.stopReason === 'settled' ? 'writes settled' : `stopped: ${summary.stopReason}`;
  return `disruption seen at ${marks.seenAtMs} ms by ${how}; ${end}`;
}

function failoverOf(
  summary: WriterSummary | undefined,
  input: FailoverInput | undefined,
  downtime: Downtime,
): FailoverFigures {
  const anchor = summary?.startedAtEpochMs ?? null;
  const events = (input?.events ?? []).map((event) => ({
    ...event,
    atMs: anchor === null ? null : round(event.atEpochMs - anchor),
  }));
  const t0 = events.find((event) => event.kind === 'requested')?.atMs ?? null;
  const marks = summary?.disruption ?? null;
  const disruptionStart = marks ? (marks.startMs ?? marks.seenAtMs) : null;
  const reference = t0 ?? disruptionStart;
  const since = (ms: number | null | undefined): number | null =>
    ms === null || ms === undefined || reference === null ? null : round(ms - reference);
  const identity = summary?.identity;
  const promoted = identity?.promotedAtMs != null ? identity.final : null;
  return {
    from: input?.from ?? identity?.initial?.id ?? null,
    to: input?.to ?? (promoted && promoted.id !== identity?.initial?.id ? promoted.id : null),
    reference: t0 !== null ? 'T0' : disruptionStart !== null ? 'disruptionStart' : null,
    referenceEpochMs: reference === null || anchor === null ? null : round(anchor + reference),
    events,
    timeToPromoteMs: since(identity?.promotedAtMs),
    timeToFirstSuccessfulWriteMs: since(downtime.endMs),
    timeToFullRecoveryMs: since(events.find((event) => event.kind === 'recoveryFinished')?.atMs),
    replicationLagBytes: identity?.lagBytes ?? null,
    replicationLag: summary?.replicaLag ?? null,
  };
}
