/**
 * The report: one definition of what every command prints, stores and gates on. Built from plain data
 * (the writer's summary, the verification, the control plane's failover events), so that a Lambda, the
 * CLI and the local cloud all produce the same thing.
 */
import { errorInfo } from '../../shared/errors.js';
import { type ClientFigures, clientFigures } from '../measure/clients/figures.js';
import { nodeGroupOf } from '../measure/clients/profile-keys.js';
import type { ProfileVerification } from '../measure/clients/profile-verify.js';
import type { ProfileRun } from '../measure/clients/run.js';
import { decodeHistogram, type LatencyPercentiles, percentilesOf } from '../measure/latency.js';
import type { SeqRange } from '../measure/ranges.js';
import type { WriteSample } from '../measure/sample.js';
import type { ReplicaLag, WriterSummary } from '../measure/summary.js';
import { type Thresholds, type ThresholdsInput, thresholdsSchema } from '../measure/thresholds.js';
import { decodeTimeline, type EncodedTimeline, type Timeline } from '../measure/timeline.js';
import {
  type DataLossWindow,
  type Downtime,
  dataLossWindowOf,
  downtimeOf,
  round,
} from '../measure/timings.js';
import type { Verification } from '../measure/verify.js';
import { clientViolationsOf, type Violation, violationsOf } from './violations.js';

/** failed-but-present > 0: a write classified as certainly-not-applied is there; the numbers are suspect. */
export class ClassificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClassificationError';
  }
}

export type Verdict = 'pass' | 'fail' | 'error';

/** One shard's writes during the drill (cluster mode): the blast radius of one node group's failover. */
export interface ShardView {
  nodeGroupId: string;
  /** The node group that was failed over. */
  target: boolean;
  writes: ClientFigures['writes'];
  downtime: ClientFigures['downtime'];
  errors: ClientFigures['errors'];
  verified: boolean;
  error?: { name: string; message: string };
  /** Its lane in the charts: its whole run, on the probe's time axis. */
  timeline: ReportTimeline | null;
}

/** A client profile's figures, with its lane in the charts (its whole run, on the probe's time axis). */
export type ClientView = ClientFigures & { timeline: ReportTimeline | null };

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

export interface BuildReportInput {
  summary?: WriterSummary;
  verification?: Verification;
  thresholds?: ThresholdsInput;
  failover?: FailoverInput;
  /** Client profiles that ran beside the probe, and their read-back (absent: not verified). */
  clients?: { runs: ProfileRun[]; verifications?: ProfileVerification[] };
  /** Cluster mode: a writer on every shard, and which node group was failed over. */
  shards?: { runs: ProfileRun[]; verifications?: ProfileVerification[]; failedOver: string | null };
  error?: unknown;
}

export interface ReportTimeline extends Timeline {
  /** Writer ms of the first bucket's start (the report shows the disruption ± 5 s). */
  startMs: number;
  startEpochMs: number | null;
}

export interface Report {
  version: 1;
  verdict: Verdict;
  runId: string | null;
  endpoint: string | null;
  failoverTriggered: boolean;
  disruption: { observed: boolean; cause: 'errors' | 'identity' | null; note: string };
  writes: {
    attempted: number;
    acknowledged: number;
    failed: number;
    indeterminate: number;
    lost: number;
    recovered: number;
    unexpected: number;
    indeterminateAbsent: number;
    failedButPresent: number;
    /** Scheduled slots not attempted because all concurrency slots were busy. */
    skipped: number;
    /** Non-ok writes during the baseline (before arming). */
    baselineNonOk: number;
    /** Acknowledged writes the best replica lacked at the disruption (replicaLag); null: not measured. */
    predictedLost: number | null;
  };
  /** Non-ok outcomes by kind (READONLY, MOVED, TIMEOUT, CONNECTION_LOST, NOT_CONNECTED, …). */
  errors: Record<string, number>;
  downtime: Downtime;
  dataLossWindow: DataLossWindow;
  failover: {
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
  };
  latency: { before: LatencyPercentiles; during: LatencyPercentiles; after: LatencyPercentiles };
  timeline: ReportTimeline | null;
  /** Single writes around the disruption, encoded (`decodeWriteSample`): the latency chart's marks. */
  writeSample: WriteSample | null;
  thresholds: Thresholds;
  violations: Violation[];
  lostRanges: SeqRange[];
  failedButPresentRanges: SeqRange[];
  unexpectedSamples: string[];
  /** What each client profile saw, beside the probe (times from T0 when there was one). */
  clients: ClientView[];
  /** Cluster mode: every shard's view (the blast radius); empty with one shard or cluster mode disabled. */
  shards: ShardView[];
  /** Shards that were not failed over but saw non-ok writes. */
  collateral: string[];
  run: {
    startedAtEpochMs: number | null;
    durationMs: number | null;
    stopReason: WriterSummary['stopReason'] | null;
    rate: number | null;
    concurrency: number | null;
    keyBase: string | null;
    verifiedFrom: string | null;
  };
  error?: { name: string; message: string };
}

/** Ranges listed in the report at most (the counts are always exact). */
const RANGES_LISTED = 1000;
const TIMELINE_MARGIN_MS = 5000;
const TIMELINE_MAX_BUCKETS = 1200;

const EMPTY_LATENCY: LatencyPercentiles = {
  count: 0,
  p50: null,
  p95: null,
  p99: null,
  p999: null,
  max: null,
};

export function buildReport(input: BuildReportInput): Report {
  const thresholds = thresholdsSchema.parse(input.thresholds ?? {});
  const { summary, verification } = input;
  const downtime: Downtime = summary
    ? downtimeOf(summary)
    : { ms: 0, startMs: null, endMs: null, complete: false, longestOkGapMs: 0, bounds: null };
  const dataLossWindow = verification?.dataLossWindow ?? dataLossWindowOf([], new Map(), null);
  const failover = failoverOf(summary, input.failover, downtime);
  const observed = summary?.disruption != null;
  const writes: Report['writes'] = {
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

  let error = input.error === undefined ? undefined : errorInfo(input.error);
  if (!error && summary && !verification)
    error = { name: 'DataPlaneError', message: 'the run was not verified' };
  if (!error && writes.failedButPresent > 0) {
    error = errorInfo(
      new ClassificationError(
        `${writes.failedButPresent} writes classified as failed are present: the failure classification is wrong`,
      ),
    );
  }
  const t0 = input.failover?.events?.find((event) => event.kind === 'requested')?.atEpochMs ?? null;
  const probeStart = summary?.startedAtEpochMs ?? null;
  const clients = (input.clients?.runs ?? []).map((run) => ({
    ...clientFigures(
      run,
      input.clients?.verifications?.find((v) => v.name === run.name),
      t0,
    ),
    timeline: laneTimeline(run, probeStart),
  }));
  const shards = (input.shards?.runs ?? []).map((run) => {
    const f = clientFigures(
      run,
      input.shards?.verifications?.find((v) => v.name === run.name),
      t0,
    );
    const nodeGroupId = nodeGroupOf(run);
    // A shard writer fails fast: its downtime is its failed-write window, 0 when every write succeeded.
    const nonOk = f.writes.failed + f.writes.indeterminate > 0;
    return {
      nodeGroupId,
      target: nodeGroupId === input.shards?.failedOver,
      writes: f.writes,
      downtime: nonOk ? f.downtime : { ms: 0, startMs: null, endMs: null, complete: true },
      errors: f.errors,
      verified: f.verified,
      ...(f.error ? { error: f.error } : {}),
      timeline: laneTimeline(run, probeStart),
    };
  });
  const collateral = shards
    .filter((shard) => !shard.target && shard.writes.failed + shard.writes.indeterminate > 0)
    .map((shard) => shard.nodeGroupId);
  const violations =
    summary && verification
      ? [
          ...violationsOf(
            {
              downtimeMs: downtime.ms,
              lost: writes.lost,
              dataLossWindowMs: dataLossWindow.ms,
              unexpected: writes.unexpected,
              timeToPromoteMs: failover.timeToPromoteMs,
              disruptionObserved: observed,
            },
            thresholds,
          ),
          ...clientViolationsOf(clients, thresholds),
        ]
      : [];
  const verdict: Verdict = error ? 'error' : violations.length > 0 ? 'fail' : 'pass';

  return {
    version: 1,
    verdict,
    runId: summary?.runId ?? null,
    endpoint: summary?.endpoint ?? null,
    failoverTriggered: input.failover?.triggered ?? false,
    disruption: { observed, cause: summary?.disruption?.cause ?? null, note: disruptionNote(summary) },
    writes,
    errors: summary?.errors ?? {},
    downtime,
    dataLossWindow,
    failover,
    latency: summary
      ? {
          before: percentilesOf(decodeHistogram(summary.latency.before)),
          during: percentilesOf(decodeHistogram(summary.latency.during)),
          after: percentilesOf(decodeHistogram(summary.latency.after)),
        }
      : { before: EMPTY_LATENCY, during: EMPTY_LATENCY, after: EMPTY_LATENCY },
    timeline: summary ? reportTimeline(summary) : null,
    writeSample: summary?.writeSample ?? null,
    thresholds,
    violations,
    lostRanges: verification?.lostRanges.slice(0, RANGES_LISTED) ?? [],
    failedButPresentRanges: verification?.failedButPresentRanges.slice(0, RANGES_LISTED) ?? [],
    unexpectedSamples: verification?.unexpectedDetail.samples ?? [],
    clients,
    shards,
    collateral,
    run: {
      startedAtEpochMs: summary?.startedAtEpochMs ?? null,
      durationMs: summary?.durationMs ?? null,
      stopReason: summary?.stopReason ?? null,
      rate: summary?.rate ?? null,
      concurrency: summary?.concurrency ?? null,
      keyBase: summary?.keyBase ?? null,
      verifiedFrom: verification?.readFrom.id ?? null,
    },
    ...(error ? { error } : {}),
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
): Report['failover'] {
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

/** The disruption ± 5 s at the summary's resolution (the whole run without one), at most 1200 buckets. */
function reportTimeline(summary: WriterSummary): ReportTimeline {
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
function laneTimeline(run: ProfileRun, probeStartedAtEpochMs: number | null): ReportTimeline | null {
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
